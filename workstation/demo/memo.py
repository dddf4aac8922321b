"""The demo's analyst memo (Markdown) and the e-mail tip-off that carries it as an attachment.

The e-mail's boundary is fixed, so the file is the same on every run.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

from workstation.demo.fiction import VESSELS

MEMO_NAME = "analyst-memo_2025-06-05.md"


def memo_markdown() -> str:
    """The analyst memo of 5 June, in Markdown."""
    rows = "\n".join(f"| {v.name} | {v.imo} | {v.mmsi} | {v.flag} | {v.kind} |" for v in VESSELS)
    return f"""# Memo: Rajin-Dunay container shuttle and the Nampo transfer

- Case: DEMO-2025-01 (fictional)
- Author: demo analyst
- Date: 2025-06-05
- Releasability: DEMO - NOT FOR RELEASE

> Everything in this memo is invented for the Evidence Workstation demo.

## Summary

NORTHERN LANTERN (IMO 9164029) keeps shuttling between Rajin (Najin) and Vostochny or
Dunay with AIS off on every leg. Two outlets (Harbour Watch Daily, 14 Mar. 2025;
Peninsula Shipping Report, 2 May 2025) and our own imagery of 28 April agree on the
growing container stacks at Pier 3. Only one source (Primorsky Morskoy Vestnik,
20 May 2025) says the boxes held artillery shells: **not corroborated**.

AMBER TIDE (IMO 8830475) and VOSTOK PEARL (IMO 9273519) were alongside west of Nampo
on 2025-04-18. Two independent sources (East Sea Monitor, Northeast Asia Maritime
News). Likely ship-to-ship transfer of refined petroleum.

## Vessels

| Vessel | IMO | MMSI | Flag | Type |
|---|---|---|---|---|
{rows}

SILVER HERON broadcasts the identity of GREY PETREL (IMO 9412854), scrapped in 2019.

## Sources and grading

- Harbour Watch Daily, 14 Mar. 2025 - B2
- East Sea Monitor, 22 Apr. 2025 - B2
- Peninsula Shipping Report (Korean), 2 May 2025 - C2
- Primorsky Morskoy Vestnik (Russian), 20 May 2025 - C3
- Northeast Asia Maritime News (Japanese), 3 Jun. 2025 - B2
- Demo Imaging Sat-1 image, 28 Apr. 2025 - A1 for what it shows

## Next steps

1. Ask the Vostochny terminal for the container manifests of the March-May calls.
2. Task new imagery of Dunay for the next expected call.
3. Give Primorye Coastal Logistics LLC and Eastern Tide Shipping Co. a chance to reply.
"""


def tip_off_eml(memo: str) -> bytes:
    """The duty desk's e-mail of 6 June as an .eml file, with memo attached."""
    msg = EmailMessage()
    msg["From"] = "Duty Desk <duty.desk@monitoring-team.example>"
    msg["To"] = "Case DEMO-2025-01 <case-demo-2025-01@monitoring-team.example>"
    msg["Subject"] = "Tip-off: NORTHERN LANTERN expected at Dunay again"
    msg["Date"] = "Fri, 06 Jun 2025 08:12:44 +0000"
    msg["Message-ID"] = "<demo-2025-01-tipoff-0001@monitoring-team.example>"
    msg.set_content(
        "Hello team,\n\n"
        "A contact at the port of Dunay called this morning (fictional demo message).\n"
        "They say NORTHERN LANTERN (IMO 9164029, MMSI 273419640) is expected back from\n"
        "Rajin around 12 June with another load of containers, and that rail wagons\n"
        "have been reserved at the quay for the same day.\n\n"
        "The contact has been right once before; grade it F6 until we can corroborate.\n"
        "The analyst memo of 5 June is attached for context.\n\n"
        "Duty desk\n"
    )
    msg.add_attachment(
        memo.encode("utf-8"), maintype="text", subtype="markdown", filename=MEMO_NAME
    )
    # The default MIME boundary is random; fix it so the file is the same on every run.
    msg.set_boundary("===============demo-2025-01-tipoff==")
    return msg.as_bytes(policy=SMTP)


__all__ = ["MEMO_NAME", "memo_markdown", "tip_off_eml"]
