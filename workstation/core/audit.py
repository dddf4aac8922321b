"""The tamper-evident audit trail, bound to the state of the records.

Every change appends one event in the same transaction as the change. Each
event's hash covers its own fields and the previous event's hash, and the
library keeps the head (last sequence number and hash) beside the chain, so
an edited, removed, inserted or reordered row breaks verification.

The chain alone says what happened, not what the records hold now: an edit
made with ``sqlite3`` would pass it. So each event also carries the digest of
the state its change left the record in (``record_state``, computed at commit
from the rows themselves, see ``state.py``), and records a transaction changed
without naming them (an annotation's tags moved by a category merge) are bound
in the transaction's last event (``other_states``). ``check`` recomputes every
state and compares. Each head is also appended to a witness file outside the
database (``witness.py``), so truncating and re-heading the chain shows.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker
from sqlalchemy.orm.attributes import get_history

from db.models import AuditEvent, LibraryInfo
from workstation.core import state as st
from workstation.core.dates import utc_now
from workstation.core.state import canonical_json
from workstation.core.witness import append_head

GENESIS = "0" * 64
HEAD_KEY = "audit_head"
#: library_info flag: the chain holds an ``audit.bind`` event (a cache of that fact).
BINDING_KEY = "audit_binding"

STATE_FIELD = "record_state"
OTHERS_FIELD = "other_states"
BIND_ACTION = "audit.bind"
BASELINE_ACTION = "audit.baseline"
UNRECORDED_ACTION = "audit.unrecorded"

_STATE_VALUE = re.compile(rf'"{STATE_FIELD}":(null|"[0-9a-f]{{64}}")[,}}]')
_IMPORTED_SHA = re.compile(r'[{,]"sha256":"([0-9a-f]{64})"[,}]')

_PENDING = "audit_pending"
_BINDER = "audit_binder"

log = logging.getLogger(__name__)

__all__ = ["canonical_json"]


def event_hash(
    *,
    seq: int,
    at: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | None,
    details: str,
    prev_hash: str,
) -> str:
    """SHA-256 over the canonical form of an event's fields."""
    body = canonical_json(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "details": details,
            "prev": prev_hash,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def hash_of(event: AuditEvent) -> str:
    """``event_hash`` of an event row's fields."""
    return event_hash(
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        details=event.details,
        prev_hash=event.prev_hash,
    )


def read_head(session: Session) -> tuple[int, str]:
    """The chain's head as the library records it: (last sequence number, its hash).

    What an exported bundle carries in bag-info.txt as ``Audit-Head: seq:hash``;
    ``(0, GENESIS)`` before the first event. A fresh read, never the identity
    map's copy: writer sessions keep their objects across commits, and another
    process may have appended since.
    """
    value = session.execute(
        select(LibraryInfo.value).where(LibraryInfo.key == HEAD_KEY)
    ).scalar_one_or_none()
    if value is None:
        return 0, GENESIS
    seq_text, _, digest = value.partition(":")
    return int(seq_text), digest


# --- recording ---------------------------------------------------------------


@dataclass
class _Queued:
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str | None
    details: dict[str, Any]


@dataclass
class _Pending:
    """What one write transaction changed and recorded, until it commits."""

    events: list[_Queued] = field(default_factory=list)
    touched: dict[str, set[int]] = field(default_factory=dict)  # kind -> row ids
    gone: dict[str, set[str]] = field(default_factory=dict)  # kind -> keys maybe deleted
    head: tuple[int, str] | None = None  # written at commit, witnessed after it

    def touch(self, kind: str, row_id: object) -> None:
        if isinstance(row_id, int):
            self.touched.setdefault(kind, set()).add(row_id)

    def lose(self, kind: str, key: object) -> None:
        if key is not None:
            self.gone.setdefault(kind, set()).add(str(key))


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append an event to the chain inside the caller's (write) transaction.

    The event is written when the transaction commits, with the state the
    transaction leaves the named record in (``record_state``). The caller's
    transaction must hold the write lock (``BEGIN IMMEDIATE``), which
    serializes appends across processes.

    Raises:
        RuntimeError: ``session`` is not a library writer session (its events
            could never be bound and would be lost).
        ValueError: ``details`` uses a field the trail reserves.
    """
    if _BINDER not in session.info:
        raise RuntimeError("audit events are recorded in a library writer session")
    details = dict(details or {})
    if STATE_FIELD in details or OTHERS_FIELD in details:
        raise ValueError(f"{STATE_FIELD!r} and {OTHERS_FIELD!r} are reserved in audit details")
    oid = None if object_id is None else str(object_id)
    _pending(session).events.append(_Queued(utc_now(), actor, action, object_type, oid, details))


def _pending(session: Session) -> _Pending:
    found = session.info.get(_PENDING)
    if found is None:
        found = session.info[_PENDING] = _Pending()
    assert isinstance(found, _Pending)
    return found


class AuditRecorder(Protocol):
    """Whatever appends audit events for the current reviewer (a ``Library``).

    Services that need nothing else of the library take this, so the library
    can call them (it seeds the taxonomy on open) without importing itself back.
    """

    def record(
        self,
        session: Session,
        action: str,
        object_type: str,
        object_id: str | int | None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Append an audit event for a change made in ``session``."""


class AuditBinder:
    """Binds the writer sessions of one library to the audit trail.

    Watches what each write transaction changes in the audited tables (ORM
    objects and bulk statements alike), and at commit writes the queued
    events with the states of the records; after the commit, appends the new
    head to the witness file.
    """

    def __init__(self, *, actor: str, witness: Path | None) -> None:
        self.actor = actor
        self.witness = witness

    def install(self, factory: sessionmaker[Any]) -> None:
        """Hook every session ``factory`` makes."""
        factory.configure(info={_BINDER: self})
        event.listen(factory, "before_flush", self._before_flush)
        event.listen(factory, "after_flush", self._after_flush)
        event.listen(factory, "do_orm_execute", self._on_execute)
        event.listen(factory, "before_commit", self._before_commit)
        event.listen(factory, "after_commit", self._after_commit)
        event.listen(factory, "after_rollback", self._after_rollback)

    # --- what changed ------------------------------------------------------

    def _before_flush(self, session: Session, _ctx: UOWTransaction, _instances: object) -> None:
        # Deleted rows: their keys and owners, read while they are still there.
        for obj in session.deleted:
            table = getattr(obj, "__tablename__", None)
            kind = st.KIND_OF_TABLE.get(table or "")
            if kind is not None:
                _pending(session).lose(kind.name, getattr(obj, kind.key))
            owner = st.OWNER_OF_TABLE.get(table or "")
            if owner is not None:
                _pending(session).touch(owner[0].name, getattr(obj, owner[1]))

    def _after_flush(self, session: Session, _ctx: UOWTransaction) -> None:
        # New and changed rows (ids assigned; attribute history still pre-flush).
        for obj in [*session.new, *session.dirty]:
            table = getattr(obj, "__tablename__", None)
            kind = st.KIND_OF_TABLE.get(table or "")
            if kind is not None:
                self._track_record(session, obj, kind)
            owner = st.OWNER_OF_TABLE.get(table or "")
            if owner is not None:
                history = get_history(obj, owner[1])
                for value in [*history.added, *history.unchanged, *history.deleted]:
                    _pending(session).touch(owner[0].name, value)

    def _track_record(self, session: Session, obj: object, kind: st.Kind) -> None:
        excluded = st.EXCLUDED.get(kind.table, frozenset())
        changed = False
        for prop in obj.__mapper__.column_attrs:  # type: ignore[attr-defined]
            if prop.columns[0].name in excluded:
                continue
            history = get_history(obj, prop.key)
            if history.has_changes():
                changed = True
                if prop.columns[0].name == kind.key:
                    for old in history.deleted:
                        _pending(session).lose(kind.name, old)
        if changed:
            _pending(session).touch(kind.name, obj.id)  # type: ignore[attr-defined]

    def _on_execute(self, ctx: ORMExecuteState) -> None:
        """Bulk INSERT/UPDATE/DELETE statements on audited tables."""
        if not (ctx.is_insert or ctx.is_update or ctx.is_delete):
            return
        stmt: Any = ctx.statement
        table = getattr(stmt.table, "name", "")
        kind = st.KIND_OF_TABLE.get(table)
        owner = st.OWNER_OF_TABLE.get(table)
        if kind is None and owner is None:
            return
        session = ctx.session
        pending = _pending(session)
        if ctx.is_insert:
            params: Any = ctx.parameters
            rows: list[Any] = params if isinstance(params, list) else [params] if params else []
            if kind is not None:
                raise RuntimeError(
                    f"bulk inserts into {table} are not bound to the audit trail; add the "
                    "rows through the session"
                )
            assert owner is not None
            for row in rows:
                pending.touch(owner[0].name, dict(row).get(owner[1]))
            return
        set_values = getattr(stmt, "_values", None) or {}
        values = {getattr(k, "name", str(k)): v for k, v in set_values.items()}
        if kind is not None:
            excluded = st.EXCLUDED.get(table, frozenset())
            if ctx.is_update and values and set(values) <= excluded:
                return
            tbl = stmt.table
            query = select(tbl.c.id, tbl.c[kind.key])
            if stmt.whereclause is not None:
                query = query.where(stmt.whereclause)
            for row_id, key in session.execute(query):
                pending.touch(kind.name, row_id)
                pending.lose(kind.name, key)
            return
        assert owner is not None
        tbl = stmt.table
        query = select(tbl.c[owner[1]])
        if stmt.whereclause is not None:
            query = query.where(stmt.whereclause)
        for (row_owner,) in session.execute(query):
            pending.touch(owner[0].name, row_owner)
        moved_to = values.get(owner[1])
        pending.touch(owner[0].name, getattr(moved_to, "value", None))

    # --- writing the events -------------------------------------------------

    def _before_commit(self, session: Session) -> None:
        session.flush()  # the last changes, tracked by _after_flush
        pending = session.info.get(_PENDING)
        if not isinstance(pending, _Pending) or pending.head is not None:
            return
        if not (pending.events or pending.touched or pending.gone):
            return
        states = _states_for(session, pending)
        events = pending.events or [
            # A change no code path explained: bound all the same, and visible.
            _Queued(utc_now(), self.actor, UNRECORDED_ACTION, "library", None, {})
        ]
        named = {(e.object_type, e.object_id) for e in events}
        others: dict[str, dict[str, str | None]] = {}
        for (kind, key), digest in sorted(states.items()):
            if (kind, key) not in named:
                others.setdefault(kind, {})[key] = digest
        seq, prev = read_head(session)
        for n, queued in enumerate(events, start=1):
            details = dict(queued.details)
            if queued.object_type in st.KINDS and queued.object_id is not None:
                details[STATE_FIELD] = states.get((queued.object_type, queued.object_id))
            if n == len(events) and others:
                details[OTHERS_FIELD] = others
            seq += 1
            row = AuditEvent(
                seq=seq,
                at=queued.at,
                actor=queued.actor,
                action=queued.action,
                object_type=queued.object_type,
                object_id=queued.object_id,
                details=canonical_json(details),
                prev_hash=prev,
            )
            row.hash = prev = hash_of(row)
            session.add(row)
        session.merge(LibraryInfo(key=HEAD_KEY, value=f"{seq}:{prev}"))
        pending.events, pending.touched, pending.gone = [], {}, {}
        pending.head = (seq, prev)

    def _after_commit(self, session: Session) -> None:
        pending = session.info.pop(_PENDING, None)
        if isinstance(pending, _Pending) and pending.head is not None and self.witness:
            try:
                append_head(self.witness, *pending.head)
            except OSError as exc:
                # The change is committed; a witness that falls behind is a note in check.
                log.warning("could not append the audit head to %s: %s", self.witness, exc)

    def _after_rollback(self, session: Session) -> None:
        session.info.pop(_PENDING, None)


def _states_for(session: Session, pending: _Pending) -> dict[tuple[str, str], str | None]:
    """The state of every record the transaction touched, gone ones as None."""
    states: dict[tuple[str, str], str | None] = {}
    for name, ids in pending.touched.items():
        for key, digest in st.compute(session, st.KINDS[name], ids=ids).items():
            states[(name, key)] = digest
    wanted: dict[str, set[str]] = {}
    for e in pending.events:
        pair = (e.object_type, e.object_id)
        if e.object_type in st.KINDS and e.object_id is not None and pair not in states:
            wanted.setdefault(e.object_type, set()).add(e.object_id)
    for name, keys in wanted.items():
        for key, digest in st.compute(session, st.KINDS[name], keys=keys).items():
            states[(name, key)] = digest
        for key in keys:
            states.setdefault((name, key), None)
    for name, keys in pending.gone.items():
        missing = [k for k in keys if (name, k) not in states]
        found = st.compute(session, st.KINDS[name], keys=missing) if missing else {}
        for key in missing:
            states[(name, key)] = found.get(key)
    return states


def install(factory: sessionmaker[Any], *, actor: str, witness: Path | None) -> AuditBinder:
    """Bind the sessions of ``factory`` to the audit trail (see ``AuditBinder``)."""
    binder = AuditBinder(actor=actor, witness=witness)
    binder.install(factory)
    return binder


def ensure_binding(
    session: Session,
    record_event: Callable[..., None],
    *,
    new_library: bool,
    witnessed: bool = False,
) -> int:
    """Start binding states in a library that does not yet (first open after upgrade).

    Records one ``audit.baseline`` event per existing record, vouching for the
    state it has now, then ``audit.bind``; a new library records only the latter.
    ``witnessed``: the library has a witness file, so it has bound states
    before. Returns how many records got a baseline.
    """
    if session.get(LibraryInfo, BINDING_KEY) is not None:
        return 0
    already = session.execute(
        select(AuditEvent.seq).where(AuditEvent.action == BIND_ACTION).limit(1)
    ).first()
    count = 0
    if already is None:
        if not new_library:
            # Vouch only for a trail as the previous version left it: intact, and
            # not emptied. A cut or emptied one (flag deleted too) is left for
            # check to report, not laundered into a fresh baseline.
            chain = scan_chain(session).report
            if witnessed or not chain.ok or chain.events == 0:
                log.warning("audit trail not intact; no baseline recorded: %s", chain.reason)
                return 0
            for kind in st.KINDS.values():
                keys = session.connection().exec_driver_sql(
                    f'SELECT "{kind.key}" FROM {kind.table} ORDER BY id'
                )
                for (key,) in keys:
                    record_event(
                        session, BASELINE_ACTION, kind.name, str(key), {"version": st.STATE_VERSION}
                    )
                    count += 1
        record_event(
            session, BIND_ACTION, "library", None, {"version": st.STATE_VERSION, "baseline": count}
        )
    session.merge(LibraryInfo(key=BINDING_KEY, value=str(st.STATE_VERSION)))
    return count


# --- verifying ----------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """Outcome of verifying the chain."""

    events: int
    ok: bool
    broken_seq: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Binding:
    """The last event that vouched for a record's state (None: it was deleted)."""

    seq: int
    state: str | None


@dataclass
class ChainScan:
    """One pass over the chain: its verdict and what it says about the records."""

    report: ChainReport
    last_seq: int = 0
    bindings: dict[tuple[str, str], Binding] = field(default_factory=dict)
    bound_since: int | None = None  # seq of the audit.bind event
    imported: dict[str, int] = field(default_factory=dict)  # blob sha256 -> source.import seq
    hashes: dict[int, str] = field(default_factory=dict)  # the seqs asked for


def _bindings_of(ev_type: str, ev_id: str | None, details: dict[str, Any]) -> list[Any]:
    found: list[Any] = []
    if STATE_FIELD in details and ev_type in st.KINDS and ev_id is not None:
        found.append((ev_type, ev_id, details[STATE_FIELD]))
    others = details.get(OTHERS_FIELD)
    if isinstance(others, dict):
        for kind, entries in others.items():
            if isinstance(entries, dict):
                found += [(kind, key, value) for key, value in entries.items()]
    return found


def scan_chain(session: Session, *, want: Collection[int] = ()) -> ChainScan:
    """Recompute every hash in order and collect the states events vouch for.

    The verdict names the first event that disagrees; the scan goes on past it
    so the state bindings of the rest are still known.
    """
    wanted = set(want)
    scan = ChainScan(ChainReport(0, True))
    problem: tuple[int, str] | None = None
    expected_seq, prev, count = 1, GENESIS, 0
    rows = session.execute(
        select(
            AuditEvent.seq,
            AuditEvent.at,
            AuditEvent.actor,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.details,
            AuditEvent.prev_hash,
            AuditEvent.hash,
        ).order_by(AuditEvent.seq)
    ).yield_per(5000)
    for seq, at, actor, action, otype, oid, details, prev_hash, digest in rows:
        count += 1
        if problem is None:
            if seq != expected_seq:
                problem = (expected_seq, f"event {expected_seq} is missing (next is {seq})")
            elif prev_hash != prev:
                problem = (seq, f"event {seq} does not follow event {seq - 1}")
            elif digest != event_hash(
                seq=seq,
                at=at,
                actor=actor,
                action=action,
                object_type=otype,
                object_id=oid,
                details=details,
                prev_hash=prev_hash,
            ):
                problem = (seq, f"event {seq} was altered")
        expected_seq, prev, scan.last_seq = seq + 1, digest, seq
        if seq in wanted:
            scan.hashes[seq] = digest
        if action == BIND_ACTION and scan.bound_since is None:
            scan.bound_since = seq
        if action != "source.import" and STATE_FIELD not in details and OTHERS_FIELD not in details:
            continue
        if otype in st.KINDS and oid is not None and OTHERS_FIELD not in details:
            # The common case, without parsing the JSON: one top-level state (a key the
            # program never writes deeper) in canonical form.
            found = _STATE_VALUE.findall(details)
            if len(found) == 1 and details.count(f'"{STATE_FIELD}":') == 1:
                if action == "source.import":
                    sha = _IMPORTED_SHA.search(details)
                    if sha is not None:
                        scan.imported[sha.group(1)] = seq
                value = None if found[0] == "null" else found[0].strip('"')
                scan.bindings[(otype, oid)] = Binding(seq, value)
                continue
        try:
            parsed = json.loads(details)
        except ValueError:
            continue
        if not isinstance(parsed, dict):
            continue
        if action == "source.import" and isinstance(parsed.get("sha256"), str):
            scan.imported[parsed["sha256"]] = seq
        for kind, key, value in _bindings_of(otype, oid, parsed):
            scan.bindings[(str(kind), str(key))] = Binding(
                seq, value if isinstance(value, str) else None
            )
    if problem is None:
        head_seq, head_hash = read_head(session)
        if head_seq != scan.last_seq:
            problem = (
                min(head_seq, scan.last_seq) + 1,
                f"the chain ends at event {scan.last_seq} but the library recorded "
                f"{head_seq} events",
            )
        elif head_hash != prev:
            problem = (count, f"event {count} differs from the recorded head")
    if problem is None:
        scan.report = ChainReport(count, True)
    else:
        scan.report = ChainReport(count, False, problem[0], problem[1])
    return scan


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash in order; name the first event that disagrees."""
    return scan_chain(session).report


@dataclass(frozen=True)
class StateProblem:
    """A record whose state the audit trail does not vouch for."""

    kind: str
    key: str
    problem: str  # "changed", "deleted", "unrecorded", "gone"
    seq: int | None

    def line(self) -> str:
        """One line for people."""
        name = f"{self.kind} {self.key}"
        if self.problem == "changed":
            return (
                f"{name} changed outside the program: its state does not match "
                f"audit event {self.seq}"
            )
        if self.problem == "deleted":
            return f"{name} exists, but audit event {self.seq} recorded its deletion"
        if self.problem == "unrecorded":
            return (
                f"{name} has no audit event that created it (added outside the program, "
                "or its events were removed)"
            )
        return (
            f"{name} is gone, but no audit event records its deletion "
            f"(its last event is {self.seq})"
        )

    def as_json(self) -> dict[str, object]:
        """The shape ``--json`` prints."""
        return {
            "kind": self.kind,
            "key": self.key,
            "problem": self.problem,
            "event": self.seq,
            "message": self.line(),
        }


def compare_states(
    bindings: dict[tuple[str, str], Binding], current: dict[tuple[str, str], str]
) -> list[StateProblem]:
    """Every record whose state differs from what its last event vouched for."""
    problems: list[StateProblem] = []
    for pair, digest in current.items():
        bound = bindings.get(pair)
        if bound is None:
            problems.append(StateProblem(*pair, "unrecorded", None))
        elif bound.state is None:
            problems.append(StateProblem(*pair, "deleted", bound.seq))
        elif bound.state != digest:
            problems.append(StateProblem(*pair, "changed", bound.seq))
    for pair, bound in bindings.items():
        if bound.state is not None and pair not in current and pair[0] in st.KINDS:
            problems.append(StateProblem(*pair, "gone", bound.seq))
    kinds = list(st.KINDS)
    return sorted(problems, key=lambda p: (kinds.index(p.kind) if p.kind in kinds else 99, p.key))


def iter_events(session: Session, *, limit: int | None = None) -> list[AuditEvent]:
    """Most recent events first."""
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))
