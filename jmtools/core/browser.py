"""How jmtools starts Debian's Chromium to print reports and worksheets: headless and offline.

The pages it prints are self-contained local files; the browser itself still looks for its
makers' services in the background (component updates, safe browsing, network time, the
default search engine's address: hundreds of lookups of ``www.google.com`` and
``clients2.google.com`` per worksheet run). :data:`OFFLINE_ARGS` turns each of those off and,
last, maps every host name to "not found" except the loopback, so that nothing the browser
would ask for can leave the machine (D168).
"""

from __future__ import annotations

__all__ = ["OFFLINE_ARGS"]

#: Command-line flags for a headless Chromium that prints local files and reaches no other host.
OFFLINE_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
    "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--disable-default-apps",
    "--disable-breakpad", "--metrics-recording-only", "--no-pings", "--dns-prefetch-disable",
    "--disable-features=OptimizationHints,MediaRouter,DialMediaRouteProvider,Translate,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater,NetworkTimeServiceQuerying,"
    "InterestFeedContentSuggestions,PrivacySandboxSettings4",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
