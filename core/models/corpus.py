"""Postings and seekers with their filter columns: what every model ranks and every filter reads."""
from __future__ import annotations

import hashlib

import numpy as np

from ..data import keco
from ..data.blind import blinded
from ..data.kinds import grade_codes
from ..data.records import Posting, Seeker
from ..data.standard_jobs import ENRICH_MARK, enrichment
from ..filters import CAREER_CODES, FilterReport, FilterSettings, ItemTable, Origin, filter_mask
from ..geo.grid import cell_order


def posting_origin(p: Posting, unsuitable: frozenset = frozenset()) -> Origin:
    return Origin(p.id, "posting", p.place.lat, p.place.lon, p.place.sido, p.edu_min, p.career_kind,
                  unsuitable=unsuitable, level=p.place.geo_level or "")


def seeker_origin(s: Seeker) -> Origin:
    return Origin(s.id, "seeker", s.place.lat, s.place.lon, s.place.sido, s.edu_level, s.career_kind,
                  disability=s.filter_disability, level=s.place.geo_level or "")


class Corpus:
    """Postings and seekers with their filter columns. Incremental adds append or update one row.

    `blind=True` (the blind evaluation regime, see core/data/blind.py): postings are held without their 직종
    code and the names derived from it, so no model, enrichment or tier can read it; the codes are kept apart
    and only `relevance_codes` / `relevance_code` (what an evaluation grades with) return them."""

    ROW_ORDER = "grid-cell"  # how rows are ordered (`_in_cell_order`); ties break by row, so stored lists key on it

    def __init__(self, postings: list[Posting], seekers: list[Seeker], unsuitable: dict[str, frozenset] | None = None,
                 enrich: bool = True, short_posting_chars: int = 200, blind: bool = False, as_of: str = ""):
        # `as_of` (ISO date; '' = none): a real posting whose closing date is before it is closed here, whether or not
        # a sync marked it (an upload or an ingest never does). The live store's engine passes today; a dataset read
        # as a snapshot (the 2024 postings an evaluation grades) and the synthetic demo, whose dates are fixed, do not
        self.as_of = as_of
        self.enrich = enrich  # add the standard description (off when the models' enrich_weight is 0)
        self.short_posting_chars = short_posting_chars  # a posting shorter than this is enriched too
        self.blind = blind
        # graded by the official code only: a code W-BERT or an analyst gave is no label to score W-BERT against
        self.hidden: dict[str, str] = {p.id: p.official_code for p in postings} if blind else {}
        postings = [blinded(p) for p in postings] if blind else postings
        self.unsuitable = dict(unsuitable or {})
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # side → (middle, major) codes; see `occupation_codes`
        # the order records arrived in (the store's), for lists people browse; the rows are in grid-cell order
        self.arrival: dict[str, list[str]] = {"posting": list(dict.fromkeys(p.id for p in postings)),
                                              "seeker": list(dict.fromkeys(s.id for s in seekers))}
        self.postings: dict[str, Posting] = {}
        self.seekers: dict[str, Seeker] = {}
        self.tables: dict[str, ItemTable] = {}
        for kind, records, by_id in (("posting", postings, self.postings), ("seeker", seekers, self.seekers)):
            ordered, rows = self._in_cell_order(kind, records)
            by_id.update((r.id, r) for r in ordered)
            self.tables[kind] = self._table(kind, ordered, rows)
        self.listeners: list = []  # called with (side, row) when a row's filter fields change outside `upsert`

    def _row(self, kind: str, r: Posting | Seeker) -> tuple:
        # a place known only at 시도 level is a centroid tens of km from where the job may be: as an item it
        # has no distance, so the distance filter never lets it through as if it were exact
        coarse = r.place.geo_level == "sido"
        lat = np.nan if r.place.lat is None or coarse else r.place.lat
        lon = np.nan if r.place.lon is None or coarse else r.place.lon
        if kind == "posting":
            return (lat, lon, r.edu_min, CAREER_CODES[r.career_kind], "", self.unsuitable.get(r.id, frozenset()),
                    self.is_open(r))
        return lat, lon, r.edu_level, CAREER_CODES[r.career_kind], r.filter_disability, frozenset(), True

    def _in_cell_order(self, kind: str, records: list) -> tuple[list, list[tuple]]:
        """Records and their filter rows (`_row`, computed once) in grid-cell order (`core.geo.grid.cell_order`),
        so a radius query's rows, and their vectors in every model's matrix, lie in a few contiguous runs.
        Records added later are appended after them."""
        records = list({r.id: r for r in records}.values())  # a repeated id: the last record wins, as before
        rows = [self._row(kind, r) for r in records]
        order = cell_order(np.array([x[0] for x in rows], dtype=np.float64), np.array([x[1] for x in rows], dtype=np.float64))
        return [records[i] for i in order], [rows[i] for i in order]

    @staticmethod
    def _table(kind: str, records: list, rows: list[tuple]) -> ItemTable:
        col = lambda i, dt: np.array([x[i] for x in rows], dtype=dt)  # noqa: E731
        return ItemTable(kind, [r.id for r in records], col(0, np.float64), col(1, np.float64), col(2, np.int8),
                         col(3, np.int8), [x[4] for x in rows], [x[5] for x in rows], col(6, bool),
                         np.array([r.place.sido or "" for r in records], dtype=object))

    def records(self, kind: str) -> list:
        src = self.postings if kind == "posting" else self.seekers
        return [src[i] for i in self.tables[kind].ids]

    def enrichment_of(self, record: Posting | Seeker) -> str:
        """The standard description added to a seeker's text, or to a posting's when its own text is short."""
        if not self.enrich or (isinstance(record, Posting) and len(record.text()) >= self.short_posting_chars):
            return ""
        return enrichment(record.occupation_code)

    def text_of(self, record: Posting | Seeker) -> str:
        """What models read for a record: its own text, then its enrichment after ENRICH_MARK (models weight it)."""
        extra = self.enrichment_of(record)
        return record.text() + ENRICH_MARK + extra if extra else record.text()

    def texts(self, kind: str) -> list[str]:
        return [self.text_of(r) for r in self.records(kind)]

    def get(self, item_id: str) -> Posting | Seeker | None:
        return self.postings.get(item_id) or self.seekers.get(item_id)

    def upsert(self, record: Posting | Seeker) -> tuple[str, int, bool]:
        """Add or replace one record in place; returns (side, row, is_new)."""
        kind = "posting" if isinstance(record, Posting) else "seeker"
        if self.blind and kind == "posting":
            self.hidden[record.id] = record.official_code or self.hidden.get(record.id, "")
            record = blinded(record)
        table = self.tables[kind]
        (self.postings if kind == "posting" else self.seekers)[record.id] = record
        self._codes.pop(kind, None)
        lat, lon, edu, career, dis, uns, is_open = self._row(kind, record)
        row = table.row_of.get(record.id)
        if row is None:
            row = len(table.ids)
            self.arrival[kind].append(record.id)
            table.ids.append(record.id)
            table.row_of[record.id] = row
            table.lat = np.append(table.lat, lat)
            table.lon = np.append(table.lon, lon)
            table.education = np.append(table.education, np.int8(edu))
            table.career = np.append(table.career, np.int8(career))
            table.disability.append(dis)
            table.unsuitable.append(uns)
            table.open = np.append(table.open, is_open)
            table.sido = np.append(table.sido, np.array([record.place.sido or ""], dtype=object))
            return kind, row, True
        table.lat[row], table.lon[row], table.education[row], table.career[row] = lat, lon, edu, career
        table.place_changed(row)
        table.disability[row], table.unsuitable[row], table.open[row] = dis, uns, is_open
        table.sido[row] = record.place.sido or ""
        return kind, row, False

    def is_open(self, p: Posting) -> bool:
        """Not closed or withdrawn by a sync, and (real postings, when the corpus has a date) not past its closing
        date."""
        return not p.closed and not p.withdrawn and not p.expired_on(self.as_of)

    def set_as_of(self, day: str) -> int:
        """Move the corpus's date (a server running past midnight): postings whose closing date it passed close
        in every filter at once. Returns how many rows changed."""
        self.as_of = day
        table, changed = self.tables["posting"], 0
        for row, posting_id in enumerate(table.ids):
            is_open = self.is_open(self.postings[posting_id])
            if bool(table.open[row]) != is_open:
                table.open[row] = is_open
                changed += 1
                for listener in self.listeners:
                    listener("posting", row)
        return changed

    def set_unsuitable(self, posting_id: str, types: frozenset) -> None:
        self.unsuitable[posting_id] = types
        row = self.tables["posting"].row_of.get(posting_id)
        if row is not None:
            self.tables["posting"].unsuitable[row] = types
            for listener in self.listeners:
                listener("posting", row)

    def origin(self, query: Posting | Seeker) -> Origin:
        """What the query brings to the filters (a posting's unsuitable types come from this corpus)."""
        if isinstance(query, Posting):
            return posting_origin(query, self.unsuitable.get(query.id, frozenset()))
        return seeker_origin(query)

    def occupation_codes(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """(middle codes, major codes) of one side, row-aligned with its table (rebuilt after an add)."""
        cache = self._codes
        if kind not in cache or len(cache[kind][0]) != len(self.tables[kind].ids):
            records = self.records(kind)
            cache[kind] = (np.array([r.middle_code or "" for r in records], dtype=object),
                           np.array([r.major_code or "" for r in records], dtype=object))
        return cache[kind]

    def relevance_codes(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """(middle, major) codes an evaluation grades with, row-aligned: each record's official code (blind: the
        posting's hidden one). A code W-BERT or an analyst gave grades nothing: W-BERT would be scored by its guesses."""
        if self.blind and kind == "posting":
            codes = [self.hidden.get(i, "") for i in self.tables[kind].ids]
        else:
            codes = [r.official_code for r in self.records(kind)]
        return (np.array([keco.middle_of(c) or "" for c in codes], dtype=object),
                np.array([keco.major_of(c) or "" for c in codes], dtype=object))

    def relevance_code(self, record: Posting | Seeker) -> str:
        """The 직종 code an evaluation grades `record` by: its official one (blind: the posting's hidden one)."""
        if self.blind and isinstance(record, Posting):
            return self.hidden.get(record.id, record.official_code)
        return record.official_code

    def occupation_tiers(self, query: Posting | Seeker, target: str, mask: np.ndarray) -> list[np.ndarray]:
        """The mask split into: same middle category as the query, same major only, the rest (empty tiers dropped)."""
        middles, majors = self.occupation_codes(target)
        grades = grade_codes(query.major_code, query.middle_code, majors, middles)
        same_middle, same_major, rest = mask & (grades == 2), mask & (grades == 1), mask & (grades == 0)
        return [t for t in (same_middle, same_major, rest) if t.any()] or [mask]

    def registered_on(self, day: str) -> np.ndarray:
        """Postings registered on `day` (ISO), row-aligned with the posting table: '오늘 등록' first."""
        return np.array([self.postings[i].reg_date == day for i in self.tables["posting"].ids], dtype=bool)

    def candidates(self, query: Posting | Seeker, target: str, filters: FilterSettings) -> tuple[np.ndarray, FilterReport]:
        """The filter mask over the target side and its report; every model ranks inside the same mask."""
        return filter_mask(self.origin(query), self.tables[target], filters)

    def fingerprint(self) -> str:
        h = hashlib.sha1()
        for kind in ("posting", "seeker"):
            for r in self.records(kind):
                h.update(r.id.encode())
                h.update(hashlib.sha1(self.text_of(r).encode("utf-8")).digest())
        return h.hexdigest()[:16]
