"""Commands on marks and what they refer to: annotate, annotations, taxonomy, entities."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

from ui.cli.common import (
    EXIT_OK,
    UsageError,
    open_library,
    print_json,
)


def _annotation_json(data: Any) -> dict[str, Any]:
    from dataclasses import asdict  # lazy: start-up

    from workstation.annotations.anchors import (  # lazy: start-up
        PageAnchor,
        RegionAnchor,
        TextAnchor,
    )

    out = asdict(data)
    anchor = data.anchor
    kind = (
        "text"
        if isinstance(anchor, TextAnchor)
        else "region"
        if isinstance(anchor, RegionAnchor)
        else "page"
        if isinstance(anchor, PageAnchor)
        else "unknown"
    )
    out["anchor"] = {"kind": kind, **asdict(anchor)}
    if kind == "text":
        out["anchor"]["page"] = anchor.page  # 1-based, as printed
    return out


def _parse_region(text: str) -> tuple[tuple[float, float], tuple[float, float]]:
    try:
        x, y, w, h = (float(part) for part in text.split(","))
    except ValueError:
        raise UsageError(f"--region takes X,Y,W,H (four numbers), not {text!r}") from None
    if w <= 0 or h <= 0:
        raise UsageError("--region needs a positive width and height")
    return (x, y), (x + w, y + h)


def cmd_annotate(args: argparse.Namespace) -> int:
    from workstation.annotations.anchors import RegionAnchor  # lazy: start-up
    from workstation.annotations.service import AnnotationService, find_quote  # lazy: start-up
    from workstation.sources.lookup import resolve_source  # lazy: start-up

    if (args.quote is None) == (args.region is None):
        raise UsageError("give --quote TEXT or --region X,Y,W,H")
    if args.occurrence is not None and args.quote is None:
        raise UsageError("--occurrence goes with --quote")
    with open_library(args) as lib, lib.writer() as session:
        source = resolve_source(session, args.source)
        if args.quote is not None:
            anchor: Any = find_quote(
                session, source, args.quote, page=args.page, occurrence=args.occurrence or 1
            )
        else:
            anchor = RegionAnchor("rect", _parse_region(args.region), args.page)
        data = AnnotationService(lib).create(
            session,
            source.id,
            anchor,
            categories=args.tag or (),
            note=args.note,
            redact=args.redact,
        )
    if args.json:
        print_json(_annotation_json(data))
    else:
        print(data.uuid)
    return EXIT_OK


def cmd_annotations(args: argparse.Namespace) -> int:
    from workstation.annotations.queries import AnnotationFilter  # lazy: start-up
    from workstation.annotations.service import AnnotationService  # lazy: start-up
    from workstation.sources.lookup import resolve_source  # lazy: start-up

    with open_library(args) as lib, lib.reader() as session:
        source_id = resolve_source(session, args.source).id if args.source else None
        found = AnnotationService(lib).find(
            session,
            AnnotationFilter(source_id=source_id, category=args.tag, author=args.author),
        )
        label = f"Annotations of {lib.root.name}" + (f", source {source_id}" if source_id else "")
    if args.format == "w3c":
        from workstation.annotations.w3c import collection  # lazy: start-up

        print_json(collection(found, label=label))
    else:
        print_json([_annotation_json(a) for a in found])
    return EXIT_OK


def cmd_taxonomy_list(args: argparse.Namespace) -> int:
    from workstation.taxonomy.tree import list_categories  # lazy: start-up

    with open_library(args) as lib, lib.reader() as session:
        nodes = list_categories(session, include_deprecated=args.all)
    if args.json:
        print_json(
            [
                {
                    "code": n.code,
                    "label": n.label,
                    "parent": n.parent,
                    "legal_basis": n.legal_basis,
                    "colour": n.display_colour,
                    "deprecated": n.deprecated,
                    "usage": n.usage,
                }
                for n in nodes
            ]
        )
        return EXIT_OK
    for n in nodes:
        extra = " (deprecated)" if n.deprecated else ""
        used = f"  [{n.usage}]" if n.usage else ""
        basis = f"  — {n.legal_basis}" if n.legal_basis and n.depth == 0 else ""
        print(f"{'  ' * n.depth}{n.code:<{max(1, 34 - 2 * n.depth)}} {n.label}{extra}{used}{basis}")
    return EXIT_OK


def cmd_taxonomy_export(args: argparse.Namespace) -> int:
    from workstation.taxonomy.interchange import export_taxonomy  # lazy: start-up

    with open_library(args) as lib, lib.reader() as session:
        doc = export_taxonomy(session)
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def cmd_taxonomy_import(args: argparse.Namespace) -> int:
    from workstation.core.errors import WorkstationError  # lazy: start-up
    from workstation.taxonomy.interchange import import_taxonomy  # lazy: start-up

    try:
        doc = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except OSError as exc:
        raise WorkstationError(f"cannot read {args.file}: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WorkstationError(f"{args.file} is not a JSON taxonomy: {exc}") from exc
    with open_library(args) as lib, lib.writer() as session:
        summary = import_taxonomy(lib, session, doc)
    print(
        f"{len(summary.added)} added, {len(summary.updated)} updated, "
        f"{len(summary.unchanged)} unchanged"
    )
    return EXIT_OK


def _entity_json(session: Any, entity: Any) -> dict[str, Any]:
    from workstation.entities.register import identifiers_of  # lazy: start-up

    return {
        "uuid": entity.uuid,
        "kind": entity.kind,
        "name": entity.name,
        "aliases": list(entity.aliases or []),
        "identifiers": [{"scheme": s, "value": v} for s, v in identifiers_of(session, entity)],
    }


def cmd_entities_list(args: argparse.Namespace) -> int:
    from workstation.entities.register import find_entities  # lazy: start-up

    with open_library(args) as lib, lib.reader() as session:
        rows = [_entity_json(session, e) for e in find_entities(session, args.text, args.kind)]
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            ids = ", ".join(f"{i['scheme'].upper()} {i['value']}" for i in r["identifiers"])
            print(f"{r['uuid'][:8]}  {r['kind']:<9} {r['name']}" + (f"  ({ids})" if ids else ""))
    return EXIT_OK


def cmd_entities_add(args: argparse.Namespace) -> int:
    from workstation.entities.register import add_entity  # lazy: start-up

    identifiers: dict[str, list[str]] = {}
    for scheme, values in (("imo", args.imo), ("mmsi", args.mmsi)):
        if values:
            identifiers[scheme] = list(values)
    attributes: dict[str, float] = {}
    for key, value in (("loa_metres", args.loa), ("beam_metres", args.beam)):
        if value is not None:
            if args.kind != "vessel" or not 0 < value < 1000:
                raise UsageError("--loa and --beam are a vessel's, in metres (0 to 1000)")
            attributes[key] = value
    with open_library(args) as lib, lib.writer() as session:
        entity = add_entity(
            lib,
            session,
            args.kind,
            args.name,
            aliases=args.alias or (),
            identifiers=identifiers,
            attributes=attributes,
        )
        row = _entity_json(session, entity)
    if args.json:
        print_json(row)
    else:
        print(row["uuid"])
    return EXIT_OK


def cmd_entities_suggest(args: argparse.Namespace) -> int:
    from workstation.entities.register import suggest  # lazy: start-up
    from workstation.sources.lookup import page_text, resolve_source  # lazy: start-up

    with open_library(args) as lib, lib.reader() as session:
        source = resolve_source(session, args.source)
        pages = [args.page] if args.page else list(range(1, source.page_count + 1))
        found: list[dict[str, Any]] = [
            {
                "page": page,
                "kind": c.kind,
                "value": c.value,
                "text": c.text,
                "start": c.start,
                "end": c.end,
                "flag": c.flag,
                "entity_uuid": c.entity_uuid,
            }
            for page in pages
            for c in suggest(session, page_text(session, source.id, page))
        ]
    if args.json:
        print_json(found)
    else:
        for c in found:
            known = f"  -> entity {str(c['entity_uuid'])[:8]}" if c["entity_uuid"] else "  (new)"
            flag = f"  flag {c['flag']}" if c["flag"] else ""
            print(f"p. {c['page']:<4} {c['kind']:<5} {c['text']}{flag}{known}")
    return EXIT_OK


def _entity_by_prefix(session: Any, prefix: str) -> Any:
    """The one entity whose uuid starts with ``prefix``."""
    from workstation.core.errors import NotFoundError  # lazy: start-up
    from workstation.entities.register import find_entities  # lazy: start-up

    matches = [e for e in find_entities(session) if e.uuid.startswith(prefix)]
    if len(matches) != 1:
        raise NotFoundError(
            f"no entity {prefix}"
            if not matches
            else f"{prefix} matches several entities; give more of the uuid"
        )
    return matches[0]


def cmd_entities_edit(args: argparse.Namespace) -> int:
    from workstation.entities.vessels import SIZE_KEYS, set_vessel_size  # lazy: start-up

    if args.loa is None and args.beam is None:
        raise UsageError("give --loa METRES and/or --beam METRES ('none' removes one)")
    sizes: dict[str, object] = {
        what: (None if value.strip().lower() == "none" else value)
        for what, value in (("loa", args.loa), ("beam", args.beam))
        if value is not None
    }
    with open_library(args) as lib, lib.writer() as session:
        matches = [_entity_by_prefix(session, args.entity)]
        entity = set_vessel_size(lib, session, matches[0].uuid, **sizes)
        row = _entity_json(session, entity)
        row["registered"] = {
            key: value
            for key in SIZE_KEYS.values()
            if (value := (entity.attributes or {}).get(key)) is not None
        }
    if args.json:
        print_json(row)
    else:
        size = ", ".join(
            f"{k.removesuffix('_metres')} {v:g} m" for k, v in row["registered"].items()
        )
        print(f"{row['uuid']}  {row['name']}: {size or 'no registered size'}")
    return EXIT_OK


def cmd_entities_show(args: argparse.Namespace) -> int:
    from workstation.entities.register import entity_page  # lazy: start-up

    with open_library(args) as lib, lib.reader() as session:
        matches = [_entity_by_prefix(session, args.entity)]
        page = entity_page(session, matches[0].uuid)
        out = _entity_json(session, page.entity)
        out["annotations"] = [_annotation_json(a) for a in page.annotations]
        out["sources"] = [
            {"source_id": m.source_id, "title": m.title, "pages": m.pages, "matched": m.matched}
            for m in page.sources
        ]
    if args.json:
        print_json(out)
    else:
        print(f"{out['kind']} {out['name']}  ({out['uuid']})")
        for i in out["identifiers"]:
            print(f"  {i['scheme'].upper()} {i['value']}")
        print(f"  {len(out['annotations'])} annotation(s) linked")
        for m in out["sources"]:
            pages = ", ".join(str(p) for p in m["pages"])
            print(f"  source {m['source_id']}: {m['title']} (p. {pages})")
    return EXIT_OK
