"""The trend page's stylesheet (inline: the page must open from a file with no network)."""

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;
max-width:1000px;color:#1b1b1b;padding:0 12px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 8px}
.verdict{font-size:18px;margin:8px 0}.reasons{margin:0 0 8px;color:#333}
figure.chart{margin:18px 0}figcaption{font-weight:600;margin-bottom:2px}
.legend{font-size:12px;color:#444;margin-bottom:2px}
.key{margin-right:14px;white-space:nowrap}
.key i{display:inline-block;width:14px;height:4px;margin-right:4px;vertical-align:middle;
background:currentColor}
svg text.tick{font-size:11px;fill:#555}
svg .grid{stroke:#e3e3e3;stroke-width:1}
svg path{stroke-width:1.6}svg g>path{fill:none}svg circle{stroke:none}
.s-measured{stroke:#1565c0;fill:#1565c0;color:#1565c0}.b-measured{fill:#1565c0;fill-opacity:.18;stroke:none}
.s-projected{stroke:#ef6c00;fill:#ef6c00;color:#ef6c00}.s-projected path{stroke-dasharray:5 3}
.b-projected{fill:#ef6c00;fill-opacity:.14;stroke:none}
.s-floor{stroke:#c62828;fill:#c62828;color:#c62828}.s-floor path{stroke-dasharray:2 2}
.h-threshold{stroke:#c62828;stroke-dasharray:4 3;stroke-width:1.2;color:#c62828}
.s-auc{stroke:#6a1b9a;fill:#6a1b9a;color:#6a1b9a}
.s-coverage{fill:#00897b;color:#00897b}.s-dq{fill:#8d6e63;color:#8d6e63}
.f0{stroke:#1565c0;fill:#1565c0;color:#1565c0}.f1{stroke:#2e7d32;fill:#2e7d32;color:#2e7d32}
.f2{stroke:#ef6c00;fill:#ef6c00;color:#ef6c00}.f3{stroke:#6a1b9a;fill:#6a1b9a;color:#6a1b9a}
.f4{stroke:#00838f;fill:#00838f;color:#00838f}
.d-healthy{fill:#2e7d32;color:#2e7d32}.d-notify{fill:#f9a825;color:#f9a825}
.d-retrain{fill:#c62828;color:#c62828}.d-no_data{fill:#9e9e9e;color:#9e9e9e}
.d-failed{fill:#4a148c;color:#4a148c}
.d-healthy-text{color:#1b5e20}.d-notify-text{color:#8a5a00}.d-retrain-text{color:#b71c1c}
.d-no_data-text{color:#616161}.d-failed-text{color:#4a148c}
.r-deployed{fill:#fff;stroke:#1b5e20;stroke-width:3}.r-registered{fill:#fff;stroke:#1565c0;
stroke-width:3}.r-kept_champion{fill:#fff;stroke:#424242;stroke-width:3}
.ring{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:4px;
vertical-align:middle;border:3px solid}.ring.r-deployed{border-color:#1b5e20}
.ring.r-registered{border-color:#1565c0}.ring.r-kept_champion{border-color:#424242}
.r-deployed-text{color:#1b5e20}.r-registered-text{color:#0d47a1}.r-kept_champion-text{color:#424242}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
ul.days{font-size:12px;columns:1;padding-left:18px}ul.days a{margin-right:4px}
footer{margin-top:32px;font-size:12px;color:#666}
"""
