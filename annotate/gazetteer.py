"""The zone gazetteer (config/zones.toml): zone and region names, their aliases, and finding them in text."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .errors import AnnotateError

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"

# Suffixes a zone's short name may end with, mapped to the full forms news also prints.
_SUFFIX_FULL = {
    "高新区": ("高新技术产业开发区", "高新技术产业园区", "国家高新区", "国家高新技术产业开发区"),
    "经开区": ("经济技术开发区", "国家级经济技术开发区", "经济开发区"),
    "综合保税区": ("综保区",),
}
# A place name plus one of these is a zone even when the gazetteer does not list it.
_GENERIC_SUFFIX = (
    "高新技术产业开发区|高新技术产业园区|经济技术开发区|综合保税区|高新区|经开区|综保区|"
    "开发区|工业园区|产业园区|自贸区|新区"
)


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
        return re.sub(r"(市|地区|自治州|盟)$", "", self.city)


@dataclass(frozen=True, slots=True)
class Region:
    """A province-level region (山东省, 重庆市) or the country (全国)."""

    name: str
    short: str
    kind: str


@dataclass(frozen=True, slots=True)
class Mention:
    """A zone or region named in a text: where, what it says, and what it resolves to."""

    start: int
    end: int
    surface: str
    name: str  # canonical zone or region name
    is_region: bool


@dataclass
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

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        known = sorted(self._forms, key=len, reverse=True)
        alternation = "|".join(re.escape(f) for f in known)
        cities = "|".join(re.escape(c) for c in self._cities)
        # Longest known form first; then a known city + a short district or park name + a zone suffix.
        generic = f"(?:{cities})[\u4e00-\u9fff]{{0,4}}?(?:{_GENERIC_SUFFIX})|(?:{cities})[\u4e00-\u9fff]{{2}}区"
        return re.compile(f"(?P<known>{alternation})|(?P<generic>{generic})")

    def mentions(self, text: str) -> list[Mention]:
        """Zones and regions named in `text`, left to right, longest match first."""
        found = []
        for m in self._pattern.finditer(text):
            surface = m.group()
            if m.lastgroup == "known" and self._after_other_city(text, m.start(), surface):
                continue
            if m.lastgroup == "known":
                name, is_region = self._forms[surface]
            else:
                name, is_region = self._forms.get(surface, (surface, False))
            found.append(Mention(m.start(), m.end(), surface, name, is_region))
        return found

    def _after_other_city(self, text: str, start: int, surface: str) -> bool:
        """南宁中关村科技园 is in 南宁, not 中关村: a brand name right after another city's name."""
        name, is_region = self._forms[surface]
        zone = self._by_name.get(name)
        if is_region or zone is None or surface.startswith(zone.city_short):
            return False
        before = text[max(0, start - 4) : start]
        return any(before.endswith(c) for c in self._cities if c != zone.city_short)

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
        data = tomllib.loads(path.read_text(encoding="utf-8"))
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
