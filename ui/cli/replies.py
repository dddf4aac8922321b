"""Right of reply (``reply ...``): letters sent about a finding and the replies received."""

from __future__ import annotations

import argparse
from typing import Any

from ui.cli.common import EXIT_OK, UsageError, open_library, print_json

KINDS = ["state", "company", "person"]


def _letter_line(letter: Any) -> str:
    from workstation.core.printable import printable  # lazy: start-up

    kind = f" ({letter.addressee_kind})" if letter.addressee_kind else ""
    due = f"  deadline {letter.deadline}" if letter.deadline else ""
    ref = f"  ref {printable(letter.reference)}" if letter.reference else ""
    status = letter.status
    if letter.overdue_days:
        status += f" ({letter.overdue_days} days overdue)"
    return (
        f"letter {letter.id}  {letter.uuid[:8]}  to {printable(letter.addressee)}{kind}  "
        f"sent {letter.sent}{due}{ref}  [{status}]"
    )


def cmd_reply_add(args: argparse.Namespace) -> int:
    from workstation.findings.policy import number_label  # lazy: start-up
    from workstation.findings.replies import ReplyService  # lazy: start-up
    from workstation.findings.service import FindingService  # lazy: start-up

    with open_library(args) as lib, lib.writer() as session:
        finding = FindingService(lib).resolve(session, args.finding)
        letter = ReplyService(lib).add_letter(
            session,
            finding,
            addressee=args.to,
            addressee_kind=args.kind,
            sent=args.sent,
            deadline=args.deadline,
            reference=args.reference,
            letter_source=args.letter,
        )
        out = {
            "id": letter.id,
            "uuid": letter.uuid,
            "finding": number_label(finding.number),
            "to": letter.addressee,
            "sent": letter.sent_on,
            "deadline": letter.deadline,
        }
    if args.json:
        print_json(out)
    else:
        print(f"letter {out['id']}  {out['uuid']}  on {out['finding']}")
    return EXIT_OK


def cmd_reply_received(args: argparse.Namespace) -> int:
    from workstation.findings.replies import ReplyService  # lazy: start-up

    if args.text is None and args.document is None:
        raise UsageError("give the reply's --text TEXT or its --document SOURCE")
    with open_library(args) as lib, lib.writer() as session:
        reply = ReplyService(lib).record_reply(
            session,
            args.reply,
            received=args.date,
            text=args.text,
            document=args.document,
            summary=args.summary,
        )
        out = {"uuid": reply.uuid, "letter": reply.letter_id, "date": reply.received_on}
    if args.json:
        print_json(out)
    else:
        print(f"reply {out['uuid']}  to letter {out['letter']}  received {out['date']}")
    return EXIT_OK


def cmd_reply_list(args: argparse.Namespace) -> int:
    from workstation.core.printable import printable  # lazy: start-up
    from workstation.findings.replies import day, reply_status, today_utc  # lazy: start-up
    from workstation.findings.service import FindingService  # lazy: start-up

    today = day(args.today, "--today") if args.today else today_utc()
    with open_library(args) as lib, lib.reader() as session:
        finding = FindingService(lib).resolve(session, args.finding)
        status = reply_status(session, finding, today)
    if args.json:
        print_json(status.to_json())
        return EXIT_OK
    print(f"right of reply: {status.label}")
    for letter in status.letters:
        print(f"  {_letter_line(letter)}")
        for reply in letter.replies:
            late = f"  ({reply.late_days} days after the deadline)" if reply.late_days else ""
            body = reply.summary or reply.text or f"source {reply.source_id}"
            print(f"    reply {reply.uuid[:8]}  {reply.date}{late}  {printable(body[:100])}")
    return EXIT_OK


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``reply`` to the parser."""
    p = sub.add_parser("reply", help="right of reply: letters and replies", parents=[common])
    rs = p.add_subparsers(dest="reply_command", metavar="ACTION", required=True)
    r = rs.add_parser("add", help="a letter sent about a finding", parents=[common])
    r.add_argument("finding", metavar="FINDING", help="F-0001 or a UUID prefix")
    r.add_argument("--to", required=True, metavar="ADDRESSEE", help="a state, company or person")
    r.add_argument("--kind", choices=KINDS, help="what the addressee is")
    r.add_argument("--sent", required=True, metavar="DATE", help="YYYY-MM-DD")
    r.add_argument("--deadline", metavar="DATE", help="YYYY-MM-DD")
    r.add_argument("--reference", metavar="REF")
    r.add_argument("--letter", metavar="SOURCE", help="the letter itself, an imported source")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_reply_add)
    r = rs.add_parser("received", help="a reply to a letter", parents=[common])
    r.add_argument("reply", metavar="REPLY", help="the letter's id or UUID prefix")
    r.add_argument("--date", required=True, metavar="DATE", help="YYYY-MM-DD")
    body = r.add_mutually_exclusive_group()
    body.add_argument("--text", metavar="TEXT")
    body.add_argument("--document", metavar="SOURCE", help="the reply, an imported source")
    r.add_argument("--summary", metavar="TEXT")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_reply_received)
    r = rs.add_parser("list", help="a finding's letters, replies and status", parents=[common])
    r.add_argument("finding", metavar="FINDING")
    r.add_argument("--today", metavar="DATE", help="judge deadlines as of this day")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_reply_list)
