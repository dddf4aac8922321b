"""Commands on findings (``finding ...``) and on the source facts corroboration is judged
on (``sources relate``, ``sources set``)."""

from __future__ import annotations

import argparse
from typing import Any

from ui.cli.common import EXIT_OK, UsageError, open_library, print_json, unlock_signer

ROLES = ["supports", "contradicts", "context"]
STATUSES = ["draft", "in_review", "confirmed", "rejected"]


def _summary_line(item: Any) -> str:
    from workstation.core.printable import printable  # lazy: start-up

    return (
        f"{item.number}  {item.status:<9}  {item.badge:<28}  "
        f"{item.category or '-':<16}  {printable(item.title)}  [{item.reply_status}]"
    )


def _print_details(info: Any) -> None:
    from workstation.core.printable import printable  # lazy: start-up

    print(f"{info.number}  {printable(info.title)}  [{info.status}]")
    if info.claim:
        print(f"  claim       {printable(info.claim)}")
    if info.category:
        basis = f" ({printable(info.legal_basis)})" if info.legal_basis else ""
        print(f"  measure     {info.category}{basis}")
    if info.entities:
        print(f"  entities    {', '.join(printable(e['name']) for e in info.entities)}")
    if info.period_from or info.period_to:
        print(f"  period      {info.period_from or '?'} to {info.period_to or '?'}")
    if info.confidence:
        print(f"  confidence  {info.confidence['term']} ({info.confidence['range']})")
    if info.case:
        print(f"  case        {printable(info.case)}")
    print(f"  author      {printable(info.author)}")
    if info.confirmed_by:
        signed = f", {info.signature}" if info.signature else ""
        print(f"  confirmed   by {printable(info.confirmed_by)}{signed}")
    if info.rejected_by:
        print(f"  rejected    by {printable(info.rejected_by)}")
    if info.override_reason:
        print(f"  override    {printable(info.override_reason)}")
    print(f"  corroboration  {info.badge}")
    for n, group in enumerate(info.groups, 1):
        ids = ", ".join(str(s) for s in group.source_ids)
        print(f"    group {n}: source(s) {ids}")
        for line in group.explanations:
            print(f"      {printable(line)}")
    if info.policy.get("shortfall"):
        print(f"  policy      {info.policy['shortfall']}")
    print("  evidence")
    for e in info.evidence:
        what = repr(e.quote[:80]) if e.quote else ("region" if e.region else "page")
        print(
            f"    {e.role:<11} source {e.source_id} p.{e.page or '-'} {e.grade or 'ungraded'}"
            f"  {e.annotation[:8]}  {printable(what)}"
        )
    for step in info.review:
        why = f": {printable(step.reason)}" if step.reason else ""
        signed = f"  [{step.signature['label']}]" if step.signature else ""
        print(f"  {step.at}  {step.action} by {printable(step.reviewer)}{why}{signed}")
    for c in info.comments:
        print(f"  {c.at}  {printable(c.author)} says: {printable(c.text)}")
    print(f"  right of reply  {info.reply_status}")
    for letter in info.replies:
        due = f", deadline {letter['deadline']}" if letter["deadline"] else ""
        print(
            f"    letter {letter['id']} to {printable(letter['addressee'])}, "
            f"sent {letter['sent']}{due}: {letter['status']}"
        )


def cmd_finding_create(args: argparse.Namespace) -> int:
    """``finding create`` and ``finding edit``: a flag left out leaves its field alone."""
    from workstation.findings.policy import number_label  # lazy: start-up
    from workstation.findings.service import FindingService  # lazy: start-up

    content: dict[str, Any] = {
        "category": args.category,
        "claim": args.claim,
        "entities": args.entity,
        "places": args.place,
        "period_from": args.date_from,
        "period_to": args.date_to,
        "case": args.case,
        "confidence_term": args.confidence,
    }
    content = {k: v for k, v in content.items() if v is not None}
    with open_library(args) as lib, lib.writer() as session:
        service = FindingService(lib)
        if args.finding_command == "create":
            row = service.create(session, title=args.title, **content)
        else:
            row = service.update(session, args.finding, title=args.title, **content)
        out = {"uuid": row.uuid, "number": number_label(row.number), "status": row.status}
    if args.json:
        print_json(out)
    else:
        print(f"{out['number']}  {out['status']}  {out['uuid']}")
    return EXIT_OK


def cmd_finding_policy(args: argparse.Namespace) -> int:
    from dataclasses import asdict, replace  # lazy: start-up

    from workstation.findings.service import FindingService  # lazy: start-up

    with open_library(args) as lib:
        service = FindingService(lib)
        if args.min_independent is None and args.min_grade is None:
            with lib.reader() as session:
                policy = service.policy(session)
        else:
            with lib.writer() as session:
                policy = service.policy(session)
                if args.min_independent is not None:
                    policy = replace(policy, min_independent=args.min_independent)
                if args.min_grade is not None:
                    grade = args.min_grade.strip()
                    policy = replace(
                        policy, min_grade=None if grade.lower() in ("", "none") else grade
                    )
                service.set_policy(session, policy)
                policy = service.policy(session)
    if args.json:
        print_json(asdict(policy))
    else:
        print(f"min_independent  {policy.min_independent}")
        print(f"min_grade        {policy.min_grade or 'none'}")
    return EXIT_OK


def cmd_finding_evidence(args: argparse.Namespace) -> int:
    from workstation.findings.service import FindingService  # lazy: start-up

    with open_library(args) as lib, lib.writer() as session:
        service = FindingService(lib)
        if args.finding_command == "add":
            service.add_evidence(session, args.finding, args.annotations, args.role)
        elif args.finding_command == "remove":
            service.remove_evidence(session, args.finding, args.annotations)
        else:
            service.comment(session, args.finding, args.text)
    return EXIT_OK


def cmd_finding_show(args: argparse.Namespace) -> int:
    from workstation.findings.service import FindingService  # lazy: start-up

    with open_library(args) as lib, lib.reader() as session:
        info = FindingService(lib).show(session, args.finding)
    if args.json:
        print_json(info.to_json())
    else:
        _print_details(info)
    return EXIT_OK


def cmd_finding_list(args: argparse.Namespace) -> int:
    from dataclasses import asdict  # lazy: start-up

    from workstation.findings.service import FindingService  # lazy: start-up

    with open_library(args) as lib, lib.reader() as session:
        items = FindingService(lib).list(
            session, status=args.status, case=args.case, category=args.category
        )
    if args.json:
        print_json([asdict(i) for i in items])
    else:
        for item in items:
            print(_summary_line(item))
    return EXIT_OK


def cmd_finding_step(args: argparse.Namespace) -> int:
    from workstation.findings.policy import number_label  # lazy: start-up
    from workstation.findings.service import FindingService  # lazy: start-up

    action = args.finding_command
    if action in ("submit", "reopen", "reject") and args.override_reason:
        raise UsageError("--override-reason goes with confirm")
    if action == "reopen" and not (args.reason or "").strip():
        raise UsageError("reopen needs --reason TEXT")
    if action == "confirm" and args.reason:
        raise UsageError("confirm takes --override-reason, not --reason")
    with open_library(args) as lib:
        signer = unlock_signer(lib, args.key, args.passphrase_file) if args.sign else None
        with lib.writer() as session:
            row = _step(FindingService(lib), session, args, signer)
            out = {"uuid": row.uuid, "number": number_label(row.number), "status": row.status}
            if signer is not None:
                out["signed_by_key"] = signer.fingerprint
    if args.json:
        print_json(out)
    else:
        signed = f"  signed with key {signer!r}" if signer is not None else ""
        print(f"{out['number']}  {out['status']}{signed}")
    return EXIT_OK


def _step(service: Any, session: Any, args: argparse.Namespace, signer: Any) -> Any:
    """Take the review step ``args`` name; returns the finding."""
    action = args.finding_command
    if action == "submit":
        return service.submit(session, args.finding)
    if action == "confirm":
        return service.confirm(
            session, args.finding, override_reason=args.override_reason, signer=signer
        )
    if action == "reject":
        return service.reject(session, args.finding, reason=args.reason)
    return service.reopen(session, args.finding, reason=args.reason)


def cmd_sources_relate(args: argparse.Namespace) -> int:
    from workstation.findings.relations import Relation, relate_sources  # lazy: start-up
    from workstation.sources.lookup import resolve_source  # lazy: start-up

    relation: Relation = "derived_from" if args.derived_from else "same_origin"
    with open_library(args) as lib, lib.writer() as session:
        source = resolve_source(session, args.source)
        other = resolve_source(session, args.other)
        changed = relate_sources(lib, session, source.id, other.id, relation, remove=args.remove)
    if not changed:
        print("nothing to change")
    return EXIT_OK


def cmd_sources_set(args: argparse.Namespace) -> int:
    from workstation.findings.policy import FindingError  # lazy: start-up
    from workstation.sources.lookup import resolve_source, update_source  # lazy: start-up

    if args.publisher is None and args.reliability is None and args.credibility is None:
        raise UsageError("give --publisher, --reliability or --credibility")
    with open_library(args) as lib, lib.writer() as session:
        source = resolve_source(session, args.source)
        grade = None
        if args.reliability is not None or args.credibility is not None:
            reliability = args.reliability or source.reliability
            credibility = args.credibility or source.credibility
            if reliability is None or credibility is None:
                raise FindingError(
                    "an Admiralty grade needs both --reliability A-F and --credibility 1-6"
                )
            grade = f"{reliability}{credibility}"
        update_source(lib, session, source.id, grade=grade, publisher=args.publisher)
    return EXIT_OK


def _content_flags(f: argparse.ArgumentParser) -> None:
    f.add_argument("--category", metavar="CODE", help="the measure breached (taxonomy code)")
    f.add_argument("--claim", metavar="TEXT", help="the sentence the report will carry")
    f.add_argument("--entity", action="append", metavar="UUID")
    f.add_argument("--place", action="append", metavar="NAME")
    f.add_argument("--from", dest="date_from", metavar="DATE", help="2025, 2025-05 or 2025-05-17")
    f.add_argument("--to", dest="date_to", metavar="DATE")
    f.add_argument("--case", metavar="NAME")
    f.add_argument("--confidence", metavar="TERM", help="a PHIA yardstick term, e.g. 'likely'")
    f.add_argument("--json", action="store_true")
    f.set_defaults(func=cmd_finding_create)


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``finding`` and ``sources`` to the parser."""
    p = sub.add_parser(
        "finding", help="findings: claims on corroborated evidence", parents=[common]
    )
    fs = p.add_subparsers(dest="finding_command", metavar="ACTION", required=True)
    for name in ("create", "edit"):
        help_ = "a new draft finding" if name == "create" else "change a finding's content"
        f = fs.add_parser(name, help=help_, parents=[common])
        if name == "edit":
            f.add_argument("finding", metavar="FINDING", help="F-0001 or a UUID prefix")
        f.add_argument("--title", required=name == "create", metavar="T")
        _content_flags(f)
    f = fs.add_parser(
        "policy", help="what confirmation needs (show, or change with flags)", parents=[common]
    )
    f.add_argument(
        "--min-independent", type=int, metavar="N", help="independent groups (default 2)"
    )
    f.add_argument("--min-grade", metavar="GRADE", help="e.g. B2; 'none' for any grade")
    f.add_argument("--json", action="store_true")
    f.set_defaults(func=cmd_finding_policy)
    for name, func, help_ in (
        ("add", cmd_finding_evidence, "link annotations as evidence"),
        ("remove", cmd_finding_evidence, "unlink evidence"),
    ):
        f = fs.add_parser(name, help=help_, parents=[common])
        f.add_argument("finding", metavar="FINDING", help="F-0001 or a UUID prefix")
        f.add_argument("annotations", nargs="+", metavar="ANNOTATION_UUID")
        if name == "add":
            f.add_argument("--role", choices=ROLES, default="supports")
        f.set_defaults(func=func)
    f = fs.add_parser("show", help="evidence, independence groups, review", parents=[common])
    f.add_argument("finding", metavar="FINDING")
    f.add_argument("--json", action="store_true")
    f.set_defaults(func=cmd_finding_show)
    f = fs.add_parser("list", help="findings with their corroboration", parents=[common])
    f.add_argument("--status", choices=STATUSES)
    f.add_argument("--case", metavar="NAME")
    f.add_argument("--category", metavar="CODE")
    f.add_argument("--json", action="store_true")
    f.set_defaults(func=cmd_finding_list)
    for name, help_ in (
        ("submit", "send a draft to review (the author)"),
        ("confirm", "confirm a finding in review (another reviewer)"),
        ("reject", "reject a finding in review (another reviewer)"),
        ("reopen", "return a finding to draft, with --reason"),
    ):
        f = fs.add_parser(name, help=help_, parents=[common])
        f.add_argument("finding", metavar="FINDING")
        f.add_argument("--reason", metavar="TEXT")
        f.add_argument(
            "--override-reason", metavar="TEXT", help="confirm below the policy, saying why"
        )
        if name == "confirm":
            f.add_argument("--sign", action="store_true", help="sign the confirmation")
            f.add_argument("--key", metavar="FINGERPRINT", help="which of your keys signs")
            f.add_argument(
                "--passphrase-file", metavar="FILE", help="the key's passphrase (first line)"
            )
        f.set_defaults(sign=False, key=None, passphrase_file=None)
        f.add_argument("--json", action="store_true")
        f.set_defaults(func=cmd_finding_step)
    f = fs.add_parser("comment", help="add to the finding's discussion", parents=[common])
    f.add_argument("finding", metavar="FINDING")
    f.add_argument("--text", required=True, metavar="TEXT")
    f.set_defaults(func=cmd_finding_evidence)

    p = sub.add_parser("sources", help="facts about sources corroboration uses", parents=[common])
    ss = p.add_subparsers(dest="sources_command", metavar="ACTION", required=True)
    s = ss.add_parser(
        "relate", help="declare SOURCE derived from OTHER, or of one origin", parents=[common]
    )
    s.add_argument("source", metavar="SOURCE")
    s.add_argument("other", metavar="OTHER")
    kind = s.add_mutually_exclusive_group(required=True)
    kind.add_argument("--derived-from", action="store_true")
    kind.add_argument("--same-origin", action="store_true")
    s.add_argument("--remove", action="store_true", help="withdraw the declaration")
    s.set_defaults(func=cmd_sources_relate)
    s = ss.add_parser("set", help="publisher and Admiralty grade", parents=[common])
    s.add_argument("source", metavar="SOURCE")
    s.add_argument("--publisher", metavar="NAME")
    s.add_argument("--reliability", choices=list("ABCDEF"), type=str.upper)
    s.add_argument("--credibility", type=int, choices=range(1, 7), metavar="1-6")
    s.set_defaults(func=cmd_sources_set)
