"""The B2B world: a service provider selling projects to companies ("accounts").

Initial inquiry → Qualification → Proposal review → Contract signing → Onboarding and delivery.
Three planted personas, with firmographics drawn conditional on the persona:

- **SMB Owner Sam** (45 %) — fewer than 50 employees, one or two decision makers; sales
  answers slowly and calls get rescheduled, so **Qualification is slow** (median about twice
  the others'); finds the pricing in the proposal unclear (low CSAT, "pricing" comments) and
  signs less often (proposal → contract).
- **Mid-market Ops Olivia** (30 %) — 50–999 employees; the average buyer, reads white papers
  and attends webinars.
- **Enterprise Procurement Priya** (25 %) — 1000+ employees, many decision makers; rounds of
  redlines and a **slow legal review** (high effort, "legal review" comments), but loves the
  onboarding kickoff with a dedicated success manager (high CSAT).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from jmtools.sample_worlds import _readme, _truths
from jmtools.sample_worlds._common import ChunkState
from jmtools.sample_worlds._engine import DAY, HOUR, MINUTE, epoch_s, lognormal_s
from jmtools.sample_worlds._text import Theme
from jmtools.sample_worlds._writer import ChunkResult, World

__all__ = ["WORLD", "PERSONAS", "EVENTS", "TOUCHPOINT_STAGE", "THEMES"]

PERSONAS = ["SMB Owner Sam", "Mid-market Ops Olivia", "Enterprise Procurement Priya"]
_SHARES = np.array([0.45, 0.30, 0.25])
RULES = {
    "SMB Owner Sam": "employees < 50",
    "Mid-market Ops Olivia": "employees >= 50 and employees < 1000",
    "Enterprise Procurement Priya": "employees >= 1000",
}

TOUCHPOINT_STAGE = {
    "Website": "Initial inquiry", "White paper": "Initial inquiry", "Webinar": "Initial inquiry",
    "Contact form": "Initial inquiry",
    "Sales e-mail": "Qualification", "Discovery call": "Qualification",
    "Needs assessment": "Qualification",
    "Proposal document": "Proposal review", "Proposal call": "Proposal review",
    "Contract draft": "Contract signing", "Legal review": "Contract signing",
    "E-signature": "Contract signing",
    "Kickoff meeting": "Onboarding and delivery", "Project portal": "Onboarding and delivery",
    "Progress report": "Onboarding and delivery", "Milestone review": "Onboarding and delivery",
    "Support desk": "Onboarding and delivery",
}

EVENT_TOUCHPOINT = {
    "website_visit": "Website", "pricing_page_view": "Website",
    "whitepaper_download": "White paper", "webinar_registered": "Webinar",
    "webinar_attended": "Webinar", "contact_form_submitted": "Contact form",
    "sales_email_sent": "Sales e-mail", "sales_email_replied": "Sales e-mail",
    "discovery_call_scheduled": "Discovery call", "discovery_call_rescheduled": "Discovery call",
    "discovery_call_held": "Discovery call",
    "needs_form_sent": "Needs assessment", "needs_form_submitted": "Needs assessment",
    "proposal_sent": "Proposal document", "proposal_viewed": "Proposal document",
    "pricing_question_sent": "Proposal document", "proposal_revised": "Proposal document",
    "proposal_call_held": "Proposal call",
    "contract_sent": "Contract draft", "contract_redline_received": "Contract draft",
    "contract_revised": "Contract draft",
    "legal_review_started": "Legal review", "legal_review_completed": "Legal review",
    "esign_reminder_sent": "E-signature", "contract_signed": "E-signature",
    "kickoff_meeting_held": "Kickoff meeting", "portal_login": "Project portal",
    "progress_report_sent": "Progress report", "progress_report_viewed": "Progress report",
    "milestone_delivered": "Milestone review", "milestone_review_held": "Milestone review",
    "support_request_opened": "Support desk", "support_request_resolved": "Support desk",
    "email_bounced": None,
}
EVENTS = list(EVENT_TOUCHPOINT)
E = {name: i for i, name in enumerate(EVENTS)}
CHANNELS = ["web", "email", "phone", "video", "portal", "e-sign"]
_EVENT_CHANNEL = np.array([CHANNELS.index({
    "webinar_registered": "web", "webinar_attended": "video", "sales_email_sent": "email",
    "sales_email_replied": "email", "discovery_call_scheduled": "email",
    "discovery_call_rescheduled": "email", "discovery_call_held": "phone",
    "needs_form_sent": "email", "proposal_sent": "email", "proposal_viewed": "portal",
    "pricing_question_sent": "email", "proposal_revised": "email", "proposal_call_held": "video",
    "contract_sent": "email", "contract_redline_received": "email", "contract_revised": "email",
    "legal_review_started": "email", "legal_review_completed": "email",
    "esign_reminder_sent": "e-sign", "contract_signed": "e-sign", "kickoff_meeting_held": "video",
    "portal_login": "portal", "progress_report_sent": "email", "progress_report_viewed": "portal",
    "milestone_delivered": "portal", "milestone_review_held": "video",
    "support_request_opened": "portal", "support_request_resolved": "portal",
    "email_bounced": "email",
}.get(e, "web")) for e in EVENTS])

FUNNEL = ["contact_form_submitted", "discovery_call_held", "proposal_sent", "contract_sent",
          "contract_signed", "kickoff_meeting_held"]

#                         Sam    Olivia Priya
_CONTACT = np.array([0.80, 0.85, 0.85])
_PRICING_PAGE = np.array([0.70, 0.45, 0.30])
_WHITEPAPER = np.array([0.10, 0.75, 0.30])
_WEBINAR = np.array([0.05, 0.60, 0.15])
_REPLY_D = np.array([3.0, 0.6, 0.4])          # days until sales answers the contact form
_RESCHEDULE = np.array([0.55, 0.15, 0.20])
_CALL_D = np.array([8.0, 2.0, 2.5])           # days from scheduling to the discovery call
_QUALIFIED = np.array([0.78, 0.85, 0.85])
_FORM_D = np.array([5.0, 1.5, 2.0])           # days to return the needs assessment
_PROPOSAL_D = np.array([2.0, 2.0, 2.5])
_PRICING_Q = np.array([0.65, 0.45, 0.20])
_REVISED = np.array([0.15, 0.30, 0.55])
_CONTRACT = np.array([0.45, 0.65, 0.70])      # proposal_sent → contract_sent
_REDLINE = np.array([0.10, 0.35, 0.85])
_LEGAL = np.array([0.30, 1.00, 1.00])
_LEGAL_D = np.array([3.0, 7.0, 21.0])         # legal review duration (days)
_SIGNED = np.array([0.88, 0.90, 0.92])
_VALUE = np.array([9_000.0, 48_000.0, 260_000.0])
_KICKOFF_D = np.array([6.0, 7.0, 10.0])
_WEEKS = np.array([6, 8, 10])
_SUPPORT_WEEKLY = np.array([0.12, 0.06, 0.05])
_RESOLVE_D = np.array([3.0, 1.5, 0.5])
_NO_VISIBILITY = np.array([0.25, 0.10, 0.08])
_PROCUREMENT = np.array([0.02, 0.08, 0.95])

_V_DISCOVERY = np.array([-1.1, 0.6, 0.5])
_V_PROPOSAL = np.array([-1.0, -0.1, 0.3])
_V_LEGAL = np.array([0.2, -0.3, -1.3])
_V_KICKOFF = np.array([0.3, 0.8, 1.6])
_V_MILESTONE = np.array([0.0, 0.6, 0.8])
_V_SUPPORT = np.array([-0.4, 0.4, 0.6])

#: About the medians the design gives (sum of step medians; see the answer key for observed).
_EXPECTED_QUAL_DAYS = {"SMB Owner Sam": 18.0, "Mid-market Ops Olivia": 7.0,
                       "Enterprise Procurement Priya": 8.0}
_EXPECTED_LEGAL_DAYS = {name: float(d) for name, d in zip(PERSONAS, _LEGAL_D)}

_START_DAY = dt.datetime(2025, 6, 2)
_DAYS = 300


def _t(*sentences: str) -> tuple[str, ...]:
    return sentences


def _mix(cores, details) -> tuple[str, ...]:
    """Every core sentence (it names the theme's key words) with every detail sentence."""
    return tuple(f"{c} {d}".strip() for c in cores for d in details)


THEMES = {t.id: t for t in [
    Theme("slow-response", "Slow response from sales", "Discovery call", "negative",
          ("slow response", "nobody got back", "waited", "rescheduled"), _mix((
              "Slow response from sales, nobody got back to us.",
              "Nobody got back to us, slow response.",
              "The call was rescheduled twice, slow response.",
          ), (
              "",
              "We waited over a week.",
          ))),
    Theme("understood-needs", "Sales understood our needs", "Discovery call", "positive",
          ("understood our needs", "good questions"), _t(
              "The consultant asked good questions and understood our needs.",
              "They understood our needs quickly.")),
    Theme("unclear-pricing", "Unclear pricing in the proposal", "Proposal document", "negative",
          ("pricing", "price breakdown", "unclear"), _mix((
              "The pricing in the proposal is unclear.",
              "Unclear pricing, no price breakdown.",
              "No price breakdown, the pricing is unclear.",
          ), (
              "",
              "What exactly is included in the pricing?",
          ))),
    Theme("generic-proposal", "Generic proposal", "Proposal document", "negative",
          ("generic", "template"), _mix((
              "The proposal felt generic.",
              "A generic template proposal.",
          ), (
              "",
              "Nothing about our situation.",
          ))),
    Theme("tailored-proposal", "Tailored proposal", "Proposal document", "positive",
          ("tailored", "clear scope"), _t(
              "A tailored proposal with a clear scope and timeline.",
              "Clear scope and well tailored to our plans.")),
    Theme("slow-legal-review", "Slow legal review", "Legal review", "negative",
          ("legal review", "redlines", "approval"), _mix((
              "The legal review took weeks.",
              "Redlines waited weeks for approval in legal review.",
              "Approval was stuck in legal review.",
          ), (
              "",
              "Too many rounds of redlines.",
          ))),
    Theme("smooth-contract", "Straightforward contract", "Legal review", "positive",
          ("straightforward", "quick signature"), _t(
              "Straightforward contract, quick signature.",
              "Plain-language terms made it straightforward.")),
    Theme("dedicated-success-manager", "Dedicated success manager at kickoff", "Kickoff meeting",
          "positive", ("success manager", "kickoff", "clear plan"), _t(
              "Our dedicated success manager ran a great kickoff with a clear plan.",
              "Excellent kickoff, clear plan and one success manager for everything.",
              "The success manager made the kickoff feel effortless.")),
    Theme("organised-kickoff", "Well organised start", "Kickoff meeting", "positive",
          ("well organised", "agenda"), _t(
              "Well organised first meeting with a sensible agenda.",
              "Good agenda, well organised.")),
    Theme("confusing-kickoff", "Unclear who to contact", "Kickoff meeting", "negative",
          ("who to contact", "confusing"), _mix((
              "It was confusing who to contact.",
              "Confusing hand-over, who to contact for what?",
          ), (
              "",
          ))),
    Theme("no-visibility", "No visibility on progress", "Progress report", "negative",
          ("no visibility", "status", "progress"), _mix((
              "We have no visibility on progress.",
              "No visibility on status between reports.",
          ), (
              "",
              "The progress report says little.",
          ))),
    Theme("clear-reports", "Clear progress reports", "Progress report", "positive",
          ("clear report", "progress"), _t(
              "Clear reports every two weeks, we always know the progress.",
              "Good progress updates, clear report format.")),
    Theme("on-time-delivery", "Milestones delivered on time", "Milestone review", "positive",
          ("on time", "milestone"), _t(
              "Milestone delivered on time and to a high standard.",
              "Every milestone so far was on time.")),
    Theme("missed-milestone", "Missed milestones", "Milestone review", "negative",
          ("missed", "delay", "milestone"), _mix((
              "The milestone was missed.",
              "Delay on the milestone plan.",
          ), (
              "",
              "No warning beforehand.",
          ))),
    Theme("helpful-helpdesk", "Helpful support desk", "Support desk", "positive",
          ("helpful", "resolved"), _t(
              "Support desk was helpful and resolved it the same day.",
              "Helpful answer, resolved quickly.")),
    Theme("slow-helpdesk", "Slow support desk", "Support desk", "negative",
          ("slow", "ticket"), _mix((
              "Slow answers from the support desk.",
              "Our ticket was open for days, slow.",
          ), (
              "",
              "The ticket bounced between teams.",
          ))),
]}

_CUSTOMER_COLUMNS = [
    ("customer_id", pa.string()), ("first_contact_date", pa.date32()),
    ("industry", pa.string()), ("region", pa.string()), ("employees", pa.int64()),
    ("annual_revenue_m", pa.float64()), ("decision_makers", pa.int64()),
    ("it_maturity", pa.int64()), ("lead_source", pa.string()),
    ("procurement_team", pa.bool_()),
]
_INDUSTRIES = np.array(["Manufacturing", "Retail", "Healthcare", "Finance", "Logistics",
                        "Software", "Public sector"])
_INDUSTRY_P = np.array([[0.20, 0.30, 0.15, 0.05, 0.15, 0.15, 0.00],
                        [0.25, 0.15, 0.15, 0.15, 0.15, 0.15, 0.00],
                        [0.20, 0.10, 0.15, 0.25, 0.10, 0.05, 0.15]])
_REGIONS = np.array(["DACH", "Nordics", "UK&I", "Benelux", "Southern Europe"])
_LEADS = np.array(["website", "whitepaper", "webinar", "referral", "event"])
_LEAD_P = np.array([[0.60, 0.05, 0.05, 0.30, 0.00], [0.10, 0.45, 0.40, 0.00, 0.05],
                    [0.00, 0.10, 0.05, 0.35, 0.50]])


def _customers(rng, persona, start_s) -> dict:
    n = persona.size
    is_ = [persona == k for k in range(3)]
    noise = rng.random(n) < 0.05
    emp = np.empty(n, dtype=np.int64)
    emp[is_[0]] = np.clip(np.rint(np.exp(rng.normal(np.log(14), 0.6, is_[0].sum()))), 2, 49)
    emp[is_[0] & noise] = rng.integers(50, 71, (is_[0] & noise).sum())
    emp[is_[1]] = np.rint(np.exp(rng.uniform(np.log(50), np.log(999), is_[1].sum())))
    emp[is_[1] & noise] = rng.integers(35, 50, (is_[1] & noise).sum())
    emp[is_[2]] = np.rint(np.exp(rng.uniform(np.log(1000), np.log(6000), is_[2].sum())))
    emp[is_[2] & noise] = rng.integers(700, 1000, (is_[2] & noise).sum())
    dm = np.empty(n, dtype=np.int64)
    for k, (lo, hi) in enumerate([(1, 3), (3, 5), (5, 10)]):
        dm[is_[k]] = rng.integers(lo, hi, is_[k].sum())
    it = np.empty(n, dtype=np.int64)
    for k, (lo, hi) in enumerate([(1, 3), (3, 5), (4, 6)]):
        it[is_[k]] = rng.integers(lo, hi, is_[k].sum())
    industry = np.empty(n, dtype=object)
    lead = np.empty(n, dtype=object)
    for k in range(3):
        industry[is_[k]] = _INDUSTRIES[rng.choice(7, is_[k].sum(), p=_INDUSTRY_P[k])]
        lead[is_[k]] = _LEADS[rng.choice(5, is_[k].sum(), p=_LEAD_P[k])]
    return {
        "first_contact_date": (start_s // DAY).astype("datetime64[D]"),
        "industry": industry.astype(str), "region": _REGIONS[rng.choice(5, n)],
        "employees": emp,
        "annual_revenue_m": np.round(emp * rng.uniform(0.08, 0.3, n), 1),
        "decision_makers": dm, "it_maturity": it, "lead_source": lead.astype(str),
        "procurement_team": rng.random(n) < _PROCUREMENT[persona],
    }


def simulate(rng: np.random.Generator, n: int) -> ChunkResult:
    """Simulate ``n`` accounts' journeys (one chunk)."""
    persona = rng.choice(3, size=n, p=_SHARES)
    start = (epoch_s(_START_DAY) + rng.integers(0, _DAYS, n) * DAY
             + rng.integers(8 * HOUR, 18 * HOUR, n))
    cust = _customers(rng, persona, start)
    s = ChunkState(rng, persona, start, TOUCHPOINT_STAGE, THEMES, pii_rate=0.05)
    contacted = _inquiry(s, np.arange(n), cust["lead_source"])
    qualified, t_qual = _qualification(s, contacted)
    proposal, contract, t_prop = _proposal(s, qualified)
    signed, legal_days = _contract(s, contract)
    _onboarding(s, signed)
    c, t, e, v = s.tl.events()
    tables, stats = s.tables()
    tables["events"] = {"cust": c, "timestamp": t, "event": e, "channel": _EVENT_CHANNEL[e],
                        "value": v}
    qual_days = np.full(n, np.nan)
    qual_days[proposal] = (t_prop[proposal] - t_qual[proposal]) / DAY
    flags = {}
    for key, idx in (("proposal", proposal), ("contract", contract)):
        flags[key] = np.zeros(n, bool)
        flags[key][idx] = True
    stats.update(persona=persona, qualification_days=qual_days, legal_days=legal_days,
                 unmatched=np.array([np.sum(e == E["email_bounced"])]), **flags,
                 **{f"attr_{k}": cust[k] for k in ("employees", "decision_makers",
                                                    "annual_revenue_m")})
    return ChunkResult(customers=cust, tables=tables, stats=stats)


def _inquiry(s: ChunkState, idx, lead):
    rng, tl = s.rng, s.tl
    tl.emit(idx, E["website_visit"], 1)
    extra = rng.poisson(1.5, idx.size)
    tl.repeat(rng, idx, extra, [(E["website_visit"], 2 * DAY)])
    pricing = s.coin(idx, s.of(_PRICING_PAGE, idx))
    tl.emit(pricing, E["pricing_page_view"], lognormal_s(rng, pricing.size, 3 * MINUTE))
    paper = s.coin(idx, np.where(lead[idx] == "whitepaper", 0.95, s.of(_WHITEPAPER, idx)))
    tl.emit(paper, E["whitepaper_download"], lognormal_s(rng, paper.size, 1 * DAY))
    web = s.coin(idx, np.where(lead[idx] == "webinar", 0.95, s.of(_WEBINAR, idx)))
    tl.emit(web, E["webinar_registered"], lognormal_s(rng, web.size, 1 * DAY))
    went = s.coin(web, 0.7)
    tl.emit(went, E["webinar_attended"], lognormal_s(rng, went.size, 5 * DAY))
    bounce = s.coin(idx, 0.03)
    tl.emit(bounce, E["email_bounced"], lognormal_s(rng, bounce.size, HOUR))
    contacted = s.coin(idx, s.of(_CONTACT, idx))
    tl.emit(contacted, E["contact_form_submitted"], lognormal_s(rng, contacted.size, 2 * DAY))
    return contacted


def _qualification(s: ChunkState, idx):
    rng, tl = s.rng, s.tl
    t_first = np.zeros(s.n, dtype=np.int64)
    t_first[idx] = tl.emit(idx, E["sales_email_sent"],
                           lognormal_s(rng, idx.size, s.of(_REPLY_D, idx) * DAY))
    replied = s.coin(idx, 0.9)
    tl.emit(replied, E["sales_email_replied"], lognormal_s(rng, replied.size, 0.5 * DAY))
    tl.emit(idx, E["discovery_call_scheduled"], lognormal_s(rng, idx.size, 0.3 * DAY))
    resched = s.coin(idx, s.of(_RESCHEDULE, idx))
    tl.emit(resched, E["discovery_call_rescheduled"], lognormal_s(rng, resched.size, 2 * DAY))
    t_call = tl.emit(idx, E["discovery_call_held"],
                     lognormal_s(rng, idx.size, s.of(_CALL_D, idx) * DAY, 0.5))
    v = s.of(_V_DISCOVERY, idx) - 0.4 * np.isin(idx, resched) + 0.4 * rng.standard_normal(
        idx.size)
    sel = rng.random(idx.size) < 0.7
    when = t_call[sel] + lognormal_s(rng, int(sel.sum()), 3 * HOUR)
    score = s.survey(idx[sel], when, "Discovery call", "csat", v[sel])
    s.comments(idx[sel], when + 120, "Discovery call", v[sel], score, {
        "negative": [("slow-response", np.where(s.persona[idx[sel]] == 0, 0.95, 0.5))],
        "positive": [("understood-needs", None)]})
    qualified = s.coin(idx, s.of(_QUALIFIED, idx))
    tl.emit(qualified, E["needs_form_sent"], lognormal_s(rng, qualified.size, 0.2 * DAY))
    tl.emit(qualified, E["needs_form_submitted"],
            lognormal_s(rng, qualified.size, s.of(_FORM_D, qualified) * DAY, 0.5))
    return qualified, t_first


def _proposal(s: ChunkState, idx):
    rng, tl = s.rng, s.tl
    t_prop = np.zeros(s.n, dtype=np.int64)
    t_prop[idx] = tl.emit(idx, E["proposal_sent"],
                          lognormal_s(rng, idx.size, s.of(_PROPOSAL_D, idx) * DAY, 0.4))
    views = 1 + rng.poisson(1.0, idx.size)
    tl.repeat(rng, idx, views, [(E["proposal_viewed"], 1 * DAY)])
    question = s.coin(idx, s.of(_PRICING_Q, idx))
    tl.emit(question, E["pricing_question_sent"], lognormal_s(rng, question.size, 0.5 * DAY))
    call = s.coin(idx, 0.7)
    tl.emit(call, E["proposal_call_held"], lognormal_s(rng, call.size, 2 * DAY))
    v = s.of(_V_PROPOSAL, idx) - 0.3 * np.isin(idx, question) + 0.4 * rng.standard_normal(
        idx.size)
    sel = rng.random(idx.size) < 0.7
    when = tl.clock[idx[sel]] + lognormal_s(rng, int(sel.sum()), 4 * HOUR)
    score = s.survey(idx[sel], when, "Proposal document", "csat", v[sel])
    s.comments(idx[sel], when + 90, "Proposal document", v[sel], score, {
        "negative": [("unclear-pricing", np.where(s.persona[idx[sel]] == 2, 0.4, 0.85)),
                     ("generic-proposal", None)],
        "positive": [("tailored-proposal", None)]})
    revised = s.coin(idx, s.of(_REVISED, idx))
    tl.emit(revised, E["proposal_revised"], lognormal_s(rng, revised.size, 3 * DAY))
    tl.emit(revised, E["proposal_viewed"], lognormal_s(rng, revised.size, 0.5 * DAY))
    contract = s.coin(idx, s.of(_CONTRACT, idx))
    tl.emit(contract, E["contract_sent"], lognormal_s(rng, contract.size, 3 * DAY))
    return idx, contract, t_prop


def _contract(s: ChunkState, idx):
    rng, tl = s.rng, s.tl
    red = s.coin(idx, s.of(_REDLINE, idx))
    rounds = 1 + np.where(s.persona[red] == 2, np.minimum(rng.poisson(1.0, red.size), 3), 0)
    tl.repeat(rng, red, rounds, [(E["contract_redline_received"], 4 * DAY),
                                 (E["contract_revised"], 2 * DAY)])
    legal = s.coin(idx, s.of(_LEGAL, idx))
    t0 = tl.emit(legal, E["legal_review_started"], lognormal_s(rng, legal.size, 0.5 * DAY))
    t1 = tl.emit(legal, E["legal_review_completed"],
                 lognormal_s(rng, legal.size, s.of(_LEGAL_D, legal) * DAY, 0.45))
    legal_days = np.full(s.n, np.nan)
    legal_days[legal] = (t1 - t0) / DAY
    remind = s.coin(idx, 0.3)
    tl.emit(remind, E["esign_reminder_sent"], lognormal_s(rng, remind.size, 3 * DAY))
    signed = s.coin(idx, s.of(_SIGNED, idx))
    value = np.round(s.of(_VALUE, signed) * np.exp(0.35 * rng.standard_normal(signed.size)), -2)
    when = tl.emit(signed, E["contract_signed"], lognormal_s(rng, signed.size, 2 * DAY),
                   value=value)
    s.order(signed, when, value, 1 + rng.poisson(s.of(np.array([0.3, 1.0, 2.0]), signed)),
            "signed")
    slow = np.isin(idx, legal) & np.isin(idx, red)
    v = s.of(_V_LEGAL, idx) - 0.3 * slow + 0.4 * rng.standard_normal(idx.size)
    sel = rng.random(idx.size) < 0.7
    answer_t = tl.clock[idx[sel]] + lognormal_s(rng, int(sel.sum()), 1 * DAY)
    s.survey(idx[sel], answer_t, "Legal review", "ces", v[sel])
    s.comments(idx[sel], answer_t + 300, "Legal review", v[sel], None, {
        "negative": [("slow-legal-review", None)], "positive": [("smooth-contract", None)]})
    return signed, legal_days


def _onboarding(s: ChunkState, idx) -> None:
    rng, tl = s.rng, s.tl
    t_kick = tl.emit(idx, E["kickoff_meeting_held"],
                     lognormal_s(rng, idx.size, s.of(_KICKOFF_D, idx) * DAY, 0.4))
    v = s.of(_V_KICKOFF, idx) + 0.4 * rng.standard_normal(idx.size)
    sel = rng.random(idx.size) < 0.75
    when = t_kick[sel] + lognormal_s(rng, int(sel.sum()), 5 * HOUR)
    score = s.survey(idx[sel], when, "Kickoff meeting", "csat", v[sel])
    s.comments(idx[sel], when + 60, "Kickoff meeting", v[sel], score, {
        "negative": [("confusing-kickoff", None)],
        "positive": [("dedicated-success-manager", np.where(s.persona[idx[sel]] == 2, 1.0,
                                                            0.0)),
                     ("organised-kickoff", None)]})
    weeks = s.of(_WEEKS, idx) + rng.integers(-2, 3, idx.size)
    for w in range(int(weeks.max()) if idx.size else 0):
        active = idx[weeks > w]
        tl.wait(active, lognormal_s(rng, active.size, 5 * DAY, 0.2))
        logins = s.coin(active, 0.85)
        tl.emit(logins, E["portal_login"], lognormal_s(rng, logins.size, HOUR))
        if w % 2 == 1:
            tl.emit(active, E["progress_report_sent"], lognormal_s(rng, active.size, HOUR))
            seen = s.coin(active, 0.6)
            tl.emit(seen, E["progress_report_viewed"], lognormal_s(rng, seen.size, 0.5 * DAY))
        if w in (3, 7):
            _milestone(s, active)
        ask = s.coin(active, s.of(_SUPPORT_WEEKLY, active))
        _support(s, ask)
    blind = s.coin(idx, s.of(_NO_VISIBILITY, idx))
    happy = s.coin(np.setdiff1d(idx, blind), 0.05)
    who = np.concatenate([blind, happy])
    v = np.r_[np.full(blind.size, -1.0), np.full(happy.size, 1.0)] + 0.3 * rng.standard_normal(
        who.size)
    s.comments(who, tl.clock[who] + lognormal_s(rng, who.size, DAY), "Progress report", v, None,
               {"negative": [("no-visibility", None)], "positive": [("clear-reports", None)]},
               source="email", always=True)


def _milestone(s: ChunkState, idx) -> None:
    rng, tl = s.rng, s.tl
    tl.emit(idx, E["milestone_delivered"], lognormal_s(rng, idx.size, 2 * HOUR))
    t = tl.emit(idx, E["milestone_review_held"], lognormal_s(rng, idx.size, 1 * DAY))
    v = s.of(_V_MILESTONE, idx) + 0.6 * rng.standard_normal(idx.size)
    sel = rng.random(idx.size) < 0.6
    when = t[sel] + lognormal_s(rng, int(sel.sum()), 6 * HOUR)
    s.survey(idx[sel], when, "Milestone review", "nps", v[sel])
    s.comments(idx[sel], when + 60, "Milestone review", v[sel], None, {
        "negative": [("missed-milestone", None)], "positive": [("on-time-delivery", None)]},
        source="call_notes")


_TOPICS = np.array(["access", "reporting", "invoice", "scope change", "how to"])
_TICKET_TEXT = {
    "access": "Two colleagues cannot log in to the project portal.",
    "reporting": "Where do I find the latest status report?",
    "invoice": "The invoice does not match the contract.",
    "scope change": "We need to add a workstream, how do we change the scope?",
    "how to": "Who is our contact for data migration questions?",
}


def _support(s: ChunkState, idx) -> None:
    rng, tl = s.rng, s.tl
    opened = tl.emit(idx, E["support_request_opened"], lognormal_s(rng, idx.size, 2 * HOUR))
    closed = tl.emit(idx, E["support_request_resolved"],
                     lognormal_s(rng, idx.size, s.of(_RESOLVE_D, idx) * DAY, 0.5))
    topic = _TOPICS[rng.choice(5, idx.size, p=[0.2, 0.25, 0.15, 0.15, 0.25])]
    s.ticket(idx, opened, closed, topic, "portal", "Support desk",
             [_TICKET_TEXT[t] for t in topic])
    v = s.of(_V_SUPPORT, idx) + 0.5 * rng.standard_normal(idx.size)
    sel = rng.random(idx.size) < 0.5
    when = closed[sel] + lognormal_s(rng, int(sel.sum()), 2 * HOUR)
    score = s.survey(idx[sel], when, "Support desk", "csat", v[sel])
    s.comments(idx[sel], when + 60, "Support desk", v[sel], score, {
        "negative": [("slow-helpdesk", None)], "positive": [("helpful-helpdesk", None)]})


def reduce(stats: dict, offsets: dict) -> dict:
    """One chunk's contribution to the truths (small sums; see ``_truths``)."""
    return _truths.b2b_reduce(stats, offsets, world=globals())


def truths(tally) -> dict:
    """The planted facts, as designed and as observed in the written data."""
    return _truths.b2b_truths(tally, world=globals())


def readme(truths_doc: dict, *, fmt: str) -> str:
    return _readme.b2b_readme(truths_doc, fmt=fmt)


WORLD = World(
    name="b2b", code=2, template="b2b_service.yaml", default_customers=600,
    id_prefix="A", id_width=5, customer_columns=_CUSTOMER_COLUMNS, event_names=EVENTS,
    channel_names=CHANNELS, persona_names=PERSONAS, simulate=simulate, reduce=reduce, truths=truths,
    readme=readme,
)
