"""``workstation georef`` and ``workstation measure``: where a picture lies, and how big things are.

``georef SOURCE`` alone shows the stored georeference; with ``--point`` (two or
more), ``--gsd``, ``--world-file``, ``--crs`` or ``--remove`` it changes it (audited).
``measure`` prints geodesic lengths and areas with their uncertainty.
"""

from __future__ import annotations

import argparse
from typing import Any

from ui.cli.common import EXIT_OK, UsageError, open_library, print_json


def _describe(source_id: int, g: Any) -> str:
    how = {
        "file": "from the file's GeoTIFF tags",
        "world-file": "from a world file",
        "hand": f"by hand from {len(g.points)} control points",
        "gsd": "by scale alone (no coordinates)",
    }[g.origin]
    head = f"source {source_id}: georeferenced {how}"
    if g.crs is not None:
        head += f" in {g.crs if len(g.crs) < 40 else 'a CRS given as WKT'}"
    elif g.transform is not None:
        head += " with no CRS yet (give it with --crs EPSG)"
    parts = [head]
    if g.residual is not None:
        parts.append(f"residual {g.residual:.2f} m")
    if g.gsd is not None:
        parts.append(f"{g.gsd:.3g} m per pixel")
    if g.made_by:
        parts.append(f"by {g.made_by}")
    return ", ".join(parts)


def cmd_georef(args: argparse.Namespace) -> int:
    from pathlib import Path  # lazy: start-up

    from workstation.geo.reading import control_points  # lazy: start-up
    from workstation.geo.records import as_json, georeference_of  # lazy: start-up
    from workstation.geo.service import GeorefService  # lazy: start-up
    from workstation.sources.lookup import resolve_source  # lazy: start-up

    actions = [args.point, args.gsd is not None, args.world_file, args.remove]
    if sum(bool(a) for a in actions) > 1:
        raise UsageError("give one of --point (two or more), --gsd, --world-file, --remove")
    if args.crs is not None and (args.gsd is not None or args.remove):
        raise UsageError("--crs goes with --point, --world-file, or alone")
    points = control_points(args.point) if args.point else None
    changing = any(actions) or args.crs is not None
    with open_library(args) as lib, lib.writer() if changing else lib.reader() as session:
        source_id = resolve_source(session, args.source).id
        service = GeorefService(lib)
        if points is not None:
            g = service.by_points(session, source_id, points, args.crs)
        elif args.gsd is not None:
            g = service.by_gsd(session, source_id, args.gsd)
        elif args.world_file:
            g = service.from_file(session, source_id, Path(args.world_file), args.crs)
        elif args.remove:
            removed = service.remove(session, source_id)
            if args.json:
                print_json({"source": source_id, "removed": removed})
            else:
                print(f"source {source_id}: " + ("georeference removed" if removed else "had none"))
            return EXIT_OK
        elif args.crs is not None:
            g = service.by_crs(session, source_id, args.crs)
        else:
            found = georeference_of(session, source_id)
            if found is None:
                if args.json:
                    print_json({"source": source_id, "georeference": None})
                else:
                    print(f"source {source_id}: not georeferenced")
                return EXIT_OK
            g = found
    if args.json:
        print_json({"source": source_id, "georeference": as_json(g)})
    else:
        print(_describe(source_id, g))
    return EXIT_OK


def _pixels(text: str, option: str, least: int) -> list[tuple[float, float]]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise UsageError(f"{option} takes X,Y pairs of numbers, not {text!r}") from None
    if len(values) % 2 or len(values) < 2 * least:
        raise UsageError(f"{option} takes at least {least} X,Y pairs: X1,Y1,X2,Y2...")
    return list(zip(values[::2], values[1::2], strict=True))


def cmd_measure(args: argparse.Namespace) -> int:
    from workstation.geo.measure import (  # lazy: start-up
        measure_line,
        measure_polygon,
        registered_size,
    )
    from workstation.geo.model import GeorefError  # lazy: start-up
    from workstation.geo.records import georeference_of  # lazy: start-up
    from workstation.sources.lookup import resolve_source  # lazy: start-up

    if (args.line is None) == (args.polygon is None):
        raise UsageError("give --line X1,Y1,X2,Y2 or --polygon X1,Y1,X2,Y2,X3,Y3...")
    if (args.tag or args.note) and not args.save:
        raise UsageError("--tag and --note go with --save")
    line = _pixels(args.line, "--line", 2) if args.line else None
    polygon = _pixels(args.polygon, "--polygon", 3) if args.polygon else None
    saved: str | None = None
    registered: dict[str, Any] = {}
    with open_library(args) as lib, lib.writer() if args.save else lib.reader() as session:
        source = resolve_source(session, args.source)
        g = georeference_of(session, source.id)
        if g is None:
            raise GeorefError(
                f"source {source.id} has no georeference or scale; "
                "give one with `workstation georef SOURCE --point ...` or `--gsd METRES`"
            )
        m = measure_line(g, line) if line is not None else measure_polygon(g, polygon or [])
        if args.entity:
            from workstation.entities.register import get_entity  # lazy: start-up

            entity = get_entity(session, args.entity)
            registered = {
                k: v for k, v in (entity.attributes or {}).items() if k.endswith("_metres")
            }
            args.entity = entity.uuid
        if args.save:
            saved = _save(lib, session, source.id, m, line or polygon or [], args)
    comparison = registered_size(registered)
    if args.json:
        out: dict[str, Any] = m.as_json()
        if args.entity:
            out["registered"] = registered
        if saved:
            out["annotation"] = saved
        print_json(out)
    else:
        how = "geodesic on WGS84" if m.method == "georeference" else "pixels x GSD"
        text = f"measured {m.text()} ({how}; one sigma)"
        print(text + (f"; {comparison}" if comparison else ""))
        if saved:
            print(f"saved as annotation {saved}")
    return EXIT_OK


def _save(
    lib: Any, session: Any, source_id: int, m: Any, points: list[Any], args: argparse.Namespace
) -> str:
    """The measurement as a mark: an area as its polygon, a line as markers at its vertices."""
    from workstation.annotations.anchors import RegionAnchor  # lazy: start-up
    from workstation.annotations.service import AnnotationService  # lazy: start-up
    from workstation.entities.register import link_annotation  # lazy: start-up

    note = m.note()
    if args.note:
        note = f"{args.note}\n{note}"
    anchor = RegionAnchor("points" if m.kind == "length" else "polygon", tuple(points))
    data = AnnotationService(lib).create(
        session,
        source_id,
        anchor,
        categories=args.tag or (),
        note=note,
    )
    if args.entity:
        link_annotation(lib, session, data.uuid, args.entity)
    return str(data.uuid)


def cmd_overlaps(args: argparse.Namespace) -> int:
    from workstation.geo.overlap import overlapping  # lazy: start-up
    from workstation.sources.lookup import resolve_source  # lazy: start-up

    with open_library(args) as lib, lib.reader() as session:
        source = resolve_source(session, args.source)
        found = overlapping(session, source.id)
    if args.json:
        print_json([o.as_json() for o in found])
        return EXIT_OK
    if not found:
        print(f"source {source.id}: no other georeferenced image overlaps it")
    for o in found:
        when = o.captured or "capture date unknown"
        print(f"{o.source_id:>6}  {o.share * 100:5.1f} %  {when:<20}  {o.title}")
    return EXIT_OK


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``georef`` and ``measure`` to the parser."""
    p = sub.add_parser(
        "georef",
        help="show, set or remove where an image lies on the Earth",
        description="Without options, show the image's georeference. --point X,Y,LAT,LON "
        "(twice: a similarity; three or more: a least-squares affine with its residual), "
        "--gsd METRES (a scale alone), --world-file FILE, --crs EPSG (the CRS of the "
        "points' fit, of a world file, or of a stored transform that has none), --remove.",
        parents=[common],
    )
    p.add_argument("source", metavar="SOURCE", help="source id or SHA-256 prefix")
    p.add_argument(
        "--point",
        action="append",
        metavar="X,Y,LAT,LON",
        help="a pixel and its WGS84 latitude and longitude (repeat)",
    )
    p.add_argument("--gsd", type=float, metavar="METRES", help="metres per pixel")
    p.add_argument("--world-file", metavar="FILE", help="read a world file (or GeoTIFF)")
    p.add_argument("--crs", metavar="EPSG", help="e.g. EPSG:32652 or 4326")
    p.add_argument("--remove", "--clear", dest="remove", action="store_true", help="remove it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_georef)

    m = sub.add_parser(
        "measure",
        help="a length or an area on an image, in metres, with its uncertainty",
        description="Geodesic length (--line, two or more pixel points) or area (--polygon, "
        "three or more) on a georeferenced image; pixels x GSD on one with a scale alone.",
        parents=[common],
    )
    m.add_argument("source", metavar="SOURCE", help="source id or SHA-256 prefix")
    m.add_argument("--line", metavar="X1,Y1,X2,Y2")
    m.add_argument("--polygon", metavar="X1,Y1,X2,Y2,X3,Y3")
    m.add_argument(
        "--save",
        action="store_true",
        help="keep it as a mark (an area as its polygon, a line as markers at its ends)",
    )
    m.add_argument("--tag", action="append", metavar="CODE", help="with --save")
    m.add_argument("--note", metavar="TEXT", help="with --save; the figure is appended")
    m.add_argument(
        "--entity",
        metavar="UUID",
        help="a vessel: print its registered LOA and beam beside the figure (and link the mark)",
    )
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_measure)

    o = sub.add_parser(
        "overlaps",
        help="other georeferenced images of the same place (before and after)",
        description="The georeferenced images whose footprints overlap this one's: the share "
        "of the smaller footprint they have in common, and their capture dates.",
        parents=[common],
    )
    o.add_argument("source", metavar="SOURCE", help="source id or SHA-256 prefix")
    o.add_argument("--json", action="store_true")
    o.set_defaults(func=cmd_overlaps)
