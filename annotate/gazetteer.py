"""The zone gazetteer (config/zones.toml): zone and region names, their aliases, and finding them in text."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Set
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pypinyin import lazy_pinyin

from .errors import AnnotateError
from .vocab import CONFIG_DIR, alternation, read_config, vocab

__all__ = [
    "CONFIG_DIR",
    "Gazetteer",
    "Mention",
    "QuestionZone",
    "Region",
    "Zone",
    "load_gazetteer",
]  # CONFIG_DIR: labelstudio.py

_Z = vocab().zones
# Suffixes a zone's short name may end with, mapped to the full forms news also prints.
_SUFFIX_FULL = _Z.full_forms
# A place name plus one of these is a zone even when the gazetteer does not list it.
_GENERIC_SUFFIX = alternation(_Z.generic_suffixes)
# What ends a zone's name in a question (高新区, 高新, typed 高心区): the first that fits is taken.
QUESTION_ZONE_SUFFIX = f"(?:{alternation(_Z.question_suffixes)})"
# A zone's name clipped after its kind (长沙经开 for 长沙经开区, 烟台开发 for 烟台开发区): the kinds questions spell.
_CLIPPED = re.compile(f"^(.{{2,}}?(?:{alternation(dict(_Z.pinyin_kinds).values())}))区$")
_CITY_SUFFIX = re.compile(f"({alternation(_Z.city_suffixes)})$")


# 楚雄彝族自治州 is 楚雄, 巴音郭楞蒙古自治州 is 巴音郭楞: the people's names are not the place's.
_ETHNIC_TAIL = re.compile(f"(?:(?:{alternation(_Z.peoples)})族?)+$")


@dataclass(frozen=True, slots=True)
class Zone:
    """A development zone as the gazetteer lists it; `name` is the short form news prints."""

    name: str
    full: str
    kind: str
    level: str
    province: str
    city: str
    aliases: tuple[str, ...] = ()
    pinyin: str = ""

    @property
    def city_short(self) -> str:
        city = _CITY_SUFFIX.sub("", self.city)
        return _ETHNIC_TAIL.sub("", city) or city


@dataclass(frozen=True, slots=True)
class Region:
    """A province-level region (山东省, 重庆市) or the country (全国)."""

    name: str
    short: str
    kind: str


# What may follow a province's bare short name for it to be the province (浙江共有…, 浙江全省…), not a longer name
# (浙江大学, 山东港口集团).
_SHORT_REGION_FOLLOWS = re.compile(f"(?:{alternation(_Z.region_follows)})")


@dataclass(frozen=True, slots=True)
class Mention:
    """A zone or region named in a text: where, what it says, and what it resolves to."""

    start: int
    end: int
    surface: str
    name: str  # canonical zone or region name
    is_region: bool


@dataclass(frozen=True, slots=True)
class QuestionZone:
    """A zone or region as questions name it: its place part (city or region) and that part's pinyin."""

    name: str
    city: str  # short city (or region) name
    pinyin: str  # of the city part
    national_high_tech: bool
    curated: str = ""  # zones.toml's `pinyin` of the distinctive part (Zhongguancun), when it is not the city's


_NOT_INSIDE = re.compile(alternation(_Z.not_inside_a_name))


@dataclass(eq=False)
class Gazetteer:
    zones: list[Zone]
    regions: list[Region]
    _forms: dict[str, tuple[str, bool]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        region_names = {r.name for r in self.regions}
        for r in self.regions:
            self._forms.setdefault(r.name, (r.name, True))
        for r in self.regions:  # 山东 alone is a region only when not followed by more of a name
            if r.short and r.short != r.name:
                self._forms.setdefault(r.short + "省", (r.name, True))
        for z in self.zones:
            for form in self.text_forms(z):
                if form not in region_names:
                    self._forms.setdefault(form, (z.name, False))
        cities = sorted({z.city_short for z in self.zones if len(z.city_short) >= 2}, key=len, reverse=True)
        self._cities = cities

    def text_forms(self, z: Zone) -> list[str]:
        """Every way an article may print this zone's name (not the bare city, which names the city)."""
        forms = [z.name, z.full, *z.aliases]
        for suffix, fulls in _SUFFIX_FULL.items():
            if z.name.endswith(suffix):
                stem = z.name[: -len(suffix)]
                forms += [stem + f for f in fulls]
        prov = next((r.short for r in self.regions if r.name == z.province), "")
        if prov and not z.name.startswith(prov):
            forms += [prov + f for f in list(forms)]
        return [f for f in dict.fromkeys(forms) if f]

    def query_forms(self, z: Zone) -> list[str]:
        """Text forms plus the bare city (青岛 = 青岛高新区) for reading questions."""
        forms = self.text_forms(z)
        if z.kind == "high_tech" and z.level == "national" and z.name.startswith(z.city_short):
            forms.append(z.city_short)
        return forms

    def question_zones(self, store_zones: Set[str]) -> list[QuestionZone]:
        """Every zone and region, then the zones only the store knows, with the pinyin of their place part."""
        out = [
            QuestionZone(
                z.name,
                z.city_short,
                "".join(lazy_pinyin(z.city_short)),
                z.kind == "high_tech" and z.level == "national",
                z.pinyin if z.pinyin != "".join(lazy_pinyin(z.city_short)) else "",
            )
            for z in self.zones
        ]
        out += [QuestionZone(r.name, r.short, "".join(lazy_pinyin(r.short)), False) for r in self.regions]
        known = {z.name for z in out}
        for name in store_zones - known:
            stem = re.sub(QUESTION_ZONE_SUFFIX + "$", "", name) or name
            out.append(QuestionZone(name, stem, "".join(lazy_pinyin(stem)), False))
        return out

    def question_forms(self, store_zones: Set[str], zones: list[QuestionZone]) -> Iterator[tuple[str, str]]:
        """Every (surface form, zone name) a question may use, most likely first: a zone's query forms, a region's
        names, the store's own zone names, and a bare city for its national high-tech zone (when the store has it),
        else for the city's zones the store has facts for. `zones` is question_zones(store_zones)."""
        for z in self.zones:
            for form in self.query_forms(z):
                yield form, z.name
        for z in self.zones:  # after every full form: 长沙经开 is 长沙经开区, 烟台开发 is 烟台开发区
            for form in self.query_forms(z):
                if m := _CLIPPED.match(form):
                    yield m.group(1), z.name
        # The place alone, where it is no city's name (杨凌 for 杨凌示范区, 两江 for 两江新区, 横琴 for 横琴合作区):
        # after every zone's forms, and only when one zone has it.
        for stem, names in self._place_stems.items():
            if len(names) == 1:
                yield stem, names[0]
        for r in self.regions:
            yield r.name, r.name
            if r.short != r.name:
                yield r.short, r.name
        for name in store_zones:
            yield name, name
            if m := _CLIPPED.match(name):
                yield m.group(1), name
            stem = re.sub(QUESTION_ZONE_SUFFIX + "$", "", name)
            if stem != name and len(stem) >= 2 and "高新" in name[len(stem) :]:
                yield stem + "高新区", name  # 丰城高新技术产业开发区 is 丰城高新区 (徐州经开区 is not 徐州高新区)
        by_city: dict[str, list[QuestionZone]] = {}
        for z in zones:
            if z.city and len(z.city) >= 2 and (z.national_high_tech or z.name in store_zones):
                by_city.setdefault(z.city, []).append(z)
        for city, city_zones in by_city.items():
            national = [z for z in city_zones if z.national_high_tech and (z.name in store_zones or not store_zones)]
            for z in national or city_zones:
                yield city, z.name

    @cached_property
    def _place_stems(self) -> dict[str, list[str]]:
        """A zone's name or alias less its suffix, where that is not its city: stem → the zones that have it."""
        cities = {z.city_short for z in self.zones} | {r.short for r in self.regions} | {r.name for r in self.regions}
        stems: dict[str, list[str]] = {}
        for z in self.zones:
            for form in (z.name, *z.aliases):
                stem = re.sub(QUESTION_ZONE_SUFFIX + "$", "", form)
                place = stem != form and len(stem) >= 2 and stem not in cities and not stem.startswith(z.city_short)
                if place and z.name not in stems.setdefault(stem, []):
                    stems[stem].append(z.name)
        return stems

    @cached_property
    def _prefixes(self) -> frozenset[str]:
        """Every prefix of every known form and city name: lets a scan stop at the first character."""
        return frozenset(w[:i] for w in [*self._forms, *self._cities] for i in range(1, len(w) + 1))

    @cached_property
    def _generic(self) -> re.Pattern[str]:
        # A known city + a short district or park name + a zone suffix (桂林七星区, 丰城高新区).
        return re.compile(f"[\u4e00-\u9fff]{{0,4}}?(?:{_GENERIC_SUFFIX})|[\u4e00-\u9fff]{{2}}区")

    def mentions(self, text: str) -> list[Mention]:
        """Zones and regions named in `text`, left to right, longest match first."""
        found: list[Mention] = []
        prefixes, forms, cities = self._prefixes, self._forms, self._city_set
        i, n = 0, len(text)
        while i < n:
            if text[i] not in prefixes:
                i += 1
                continue
            known, city = 0, 0
            j = i + 1
            while j <= n and text[i:j] in prefixes:
                if text[i:j] in forms:
                    known = j
                if text[i:j] in cities:
                    city = j
                j += 1
            end, name, is_region = 0, "", False
            if city:
                g = self._generic.match(text, city)
                if g and _NOT_INSIDE.search(g.group()):
                    g = None  # 孝感市各开发区: several zones of a city, not one
                if g and g.end() > known:
                    end = g.end()
                    name, is_region = forms.get(text[i:end], (text[i:end], False))
            if not end and known:
                surface = text[i:known]
                if not self._after_other_city(text, i, surface):
                    end = known
                    name, is_region = forms[surface]
            if not end:
                short = next((text[i : i + k] for k in (3, 2) if text[i : i + k] in self._region_shorts), "")
                if short and _SHORT_REGION_FOLLOWS.match(text, i + len(short)):
                    end, name, is_region = i + len(short), self._region_shorts[short], True  # 浙江共有开发区117个
            if end:
                found.append(Mention(i, end, text[i:end], name, is_region))
                i = end
            else:
                i += 1
        return found

    @cached_property
    def _region_shorts(self) -> dict[str, str]:
        """浙江 → 浙江省: a province's short name, read as the province only where a sentence goes on (see mentions)."""
        return {r.short: r.name for r in self.regions if r.short and r.short != r.name and len(r.short) >= 2}

    @cached_property
    def _city_set(self) -> frozenset[str]:
        return frozenset(self._cities)

    def _after_other_city(self, text: str, start: int, surface: str) -> bool:
        """南宁中关村科技园 is in 南宁, not 中关村: a brand name right after another city's name."""
        name, is_region = self._forms[surface]
        zone = self._by_name.get(name)
        if is_region or zone is None or surface.startswith(zone.city_short):
            return False
        return any(
            text[max(0, start - k) : start] in self._city_set - {zone.city_short} for k in (2, 3, 4) if start >= k
        )

    def zone(self, name: str) -> Zone | None:
        return self._by_name.get(name)

    @cached_property
    def _by_name(self) -> dict[str, Zone]:
        return {z.name: z for z in self.zones}


_NATION = Region(name="全国", short="全国", kind="nation")


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Load config/zones.toml (or `path`); raise AnnotateError naming the file if it is broken."""
    path = path or CONFIG_DIR / "zones.toml"
    try:
        data = read_config(path)
        zones = [
            Zone(
                name=z["name"],
                full=z.get("full", z["name"]),
                kind=z.get("kind", "other"),
                level=z.get("level", "national"),
                province=z.get("province", ""),
                city=z.get("city", ""),
                aliases=tuple(z.get("aliases", ())),
                pinyin=z.get("pinyin", ""),
            )
            for z in data.get("zone", [])
        ]
        regions = [
            Region(r["name"], r.get("short", r["name"]), r.get("kind", "province")) for r in data.get("region", [])
        ]
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise AnnotateError(f"{path}: cannot load the zone gazetteer ({exc})") from exc
    return Gazetteer(zones=zones, regions=[*regions, _NATION])
