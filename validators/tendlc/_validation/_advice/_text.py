"""Texts and lexicons: what advice looks for in a field's text, compiled once per process.

A text's words are read once, when it is made: its lower-case words (a list, and a set for the
word and phrase lists) and, on first use, its single-spaced lower-case form (for phrases and
patterns), and the links, phone numbers and e-mail addresses in it. A :class:`Scanner` then
finds, in a few set operations, which lexicons the text holds; what exactly was found is looked
up again only when an issue is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

#: Everything but ASCII letters, digits and the hyphen becomes a space in the word views (the
#: bytes of other scripts are kept, so their words stay words).
_SPACES = bytes(
    c if (chr(c).isascii() and (chr(c).isalnum() or c == ord("-"))) or c >= 128 else 32
    for c in range(256)
)
_NOT_DIGITS = bytes(c for c in range(256) if not 48 <= c <= 57)
#: Typographic apostrophes and quotes, written as ASCII before the words are read.
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})

#: A dot before a letter: where a link without a scheme can be (a literal first, so the
#: search skips from dot to dot).
_DOTTED = re.compile(r"\.[a-z]")
_LINK = re.compile(
    r"(https?://)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+([a-z]{2,24}))(?::\d+)?(?:[/?#]\S*)?"
)
_TRAILING = ".,;:!?)]}>\"'"
_PHONE = re.compile(
    r"(?<![\w#/=.-])(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\)|[2-9]\d{2})"
    r"[ .-]?[2-9]\d{2}[ .-]?\d{4}(?![\w-])"
)
_EMAIL = re.compile(r"[\w.+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def words_of(text: str) -> list[str]:
    """The lower-case words of a text (letters, digits and hyphens; other scripts kept)."""
    return (
        text.lower()
        .encode("utf-8", "surrogatepass")
        .translate(_SPACES)
        .decode("utf-8", "surrogatepass")
        .split()
    )


def _spaced(phrase: str) -> str:
    """A phrase as the ``spaced`` view writes it."""
    return " " + " ".join(words_of(phrase)) + " "


def _links(low: str, domains: frozenset[str]) -> tuple[tuple[str, str], ...]:
    if "://" not in low and not _DOTTED.search(low):
        return ()
    found = []
    for token in low.split():
        if "." not in token or "@" in token or not _DOTTED.search(token):
            continue
        match = _LINK.match(token.lstrip("(<[{\"'"))
        if match is None:
            continue
        scheme, host, tld = match.group(1, 2, 3)
        if scheme or tld in domains:
            link = match.group().rstrip(_TRAILING)
            found.append((host[4:] if host.startswith("www.") else host, link))
    return tuple(found)


class Text:
    """One field's text, and the views of it lexicons read. The words are read when the text
    is made, and the scanner's findings with them; the other views on first use."""

    __slots__ = (
        "_domains",
        "_emails",
        "_links",
        "_phones",
        "_spaced",
        "found",
        "lower",
        "path",
        "raw",
        "tokens",
        "words",
    )

    def __init__(self, raw: str, path: str, scanner: Scanner | None = None) -> None:
        self.raw = raw if raw.isascii() else raw.translate(_QUOTES)
        self.path = path
        #: the text in lower case
        self.lower = self.raw.lower()
        #: the lower-case words, in order, and as a set
        self.tokens = words_of(self.raw)
        self.words = frozenset(self.tokens)
        self._spaced: str | None = None
        self._links: tuple[tuple[str, str], ...] | None = None
        self._phones: tuple[str, ...] | None = None
        self._emails: tuple[str, ...] | None = None
        self._domains = frozenset() if scanner is None else scanner.domains
        #: the names of the lexicons the text holds (see :class:`Scanner`)
        self.found: set[str] = set() if scanner is None else scanner.scan(self)

    @property
    def spaced(self) -> str:
        """The lower-case words joined by single spaces, with a space at each end: a phrase is in
        the text when `` phrase `` is in this."""
        if self._spaced is None:
            self._spaced = " " + " ".join(self.tokens) + " "
        return self._spaced

    @property
    def links(self) -> tuple[tuple[str, str], ...]:
        """``(host, link)`` for every link: with a scheme, or ending in one of the scanner's
        top-level domains (a word, a dot and two letters, as in ``tomorrow.Please``, is not a
        link)."""
        if self._links is None:
            self._links = _links(self.lower, self._domains)
        return self._links

    @property
    def phones(self) -> tuple[str, ...]:
        """The North American phone numbers (ten digits, an optional leading 1)."""
        if self._phones is None:
            digits = self.raw.encode("utf-8", "surrogatepass").translate(None, _NOT_DIGITS)
            self._phones = tuple(_PHONE.findall(self.raw)) if len(digits) >= 10 else ()
        return self._phones

    @property
    def emails(self) -> tuple[str, ...]:
        """The e-mail addresses."""
        if self._emails is None:
            raw = self.raw
            self._emails = tuple(m.group() for m in _EMAIL.finditer(raw)) if "@" in raw else ()
        return self._emails


def _wordish(char: str) -> bool:
    return char.isalnum() or char == "-"


@dataclass(frozen=True, eq=False)
class Lexicon:
    """What one lexicon of the rules file looks for. A text holds it when any part matches:
    ``words`` (words and phrases in any case, whole words only, not inside an ``except``
    phrase), ``exact`` (stand-alone words as written), ``pattern`` (over the single-spaced lower
    case text, tried only when one of the ``needs`` words is there), ``raw`` (over the text as
    written, tried only when one of ``raw_needs`` is in it), ``links`` (every link, or the links to
    these hosts and their subdomains), ``phones`` and ``emails``."""

    name: str
    about: str
    #: the spaced words and phrases
    terms: tuple[str, ...]
    #: spaced term -> spaced exception phrases that contain it
    excepts: Mapping[str, tuple[str, ...]]
    exact: tuple[str, ...]
    pattern: re.Pattern[str] | None
    needs: frozenset[str]
    raw: re.Pattern[str] | None
    raw_needs: tuple[str, ...]
    any_link: bool
    hosts: frozenset[str]
    phones: bool
    emails: bool
    _exact_re: re.Pattern[str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_data(cls, name: str, data: Mapping[str, Any]) -> Lexicon:
        """Compile one entry of the rules file's ``lexicons``."""
        terms = tuple(dict.fromkeys(_spaced(str(term)) for term in data.get("words", ())))
        excepts: dict[str, list[str]] = {}
        for exception in data.get("except", ()):
            spaced = _spaced(str(exception))
            for term in terms:
                if term in spaced:
                    excepts.setdefault(term, []).append(spaced)
        exact = tuple(sorted({str(word) for word in data.get("exact", ())}, key=len, reverse=True))
        links = data.get("links")
        return cls(
            name=name,
            about=str(data.get("about", name)),
            terms=terms,
            excepts={term: tuple(group) for term, group in excepts.items()},
            exact=exact,
            pattern=re.compile(str(data["pattern"])) if "pattern" in data else None,
            needs=frozenset(str(word).lower() for word in data.get("needs", ())),
            raw=re.compile(str(data["raw"])) if "raw" in data else None,
            raw_needs=tuple(str(text) for text in data.get("raw_needs", ())),
            any_link=links == "any",
            hosts=frozenset(str(h).lower() for h in links)
            if isinstance(links, list)
            else frozenset(),
            phones=bool(data.get("phones")),
            emails=bool(data.get("emails")),
            # one case-sensitive alternation: capitals are rare, so the search skips ahead fast
            _exact_re=re.compile("|".join(map(re.escape, exact))) if exact else None,
        )

    @property
    def gates(self) -> frozenset[str]:
        """The words whose presence makes the keywords and the pattern worth trying."""
        gates = {word.lower() for word in self.exact}
        return frozenset(gates | (self.needs if self.pattern is not None else set()))

    def term_found(self, text: Text, term: str) -> bool:
        """Whether a term is in the text outside its exception phrases."""
        spaced = text.spaced
        if term not in spaced:
            return False
        exceptions = self.excepts.get(term)
        if not exceptions:
            return True
        return spaced.count(term) > sum(spaced.count(exception) for exception in exceptions)

    def keyword_found(self, text: Text) -> str | None:
        """A stand-alone keyword as written, or the pattern's match."""
        if self._exact_re is not None:
            raw = text.raw
            for match in self._exact_re.finditer(raw):
                start, end = match.span()
                if (start == 0 or not _wordish(raw[start - 1])) and (
                    end == len(raw) or not _wordish(raw[end])
                ):
                    return match.group()
        if self.pattern is not None:
            found = self.pattern.search(text.spaced)
            if found:
                return found.group().strip()
        return None

    def find(self, text: Text) -> str | None:
        """What of this lexicon the text holds (the first thing, in the order of the parts), or
        None; for messages (whether a text holds it at all is ``name in text.found``)."""
        if self.name not in text.found:
            return None
        for term in self.terms:
            if term.split()[0] in text.words and self.term_found(text, term):
                return term.strip()
        if not text.words.isdisjoint(self.gates):
            found = self.keyword_found(text)
            if found is not None:
                return found
        if self.raw is not None:
            match = self.raw.search(text.raw)
            if match:
                return match.group()
        for host, link in text.links:
            if self.any_link or _under(host, self.hosts):
                return link
        if self.emails and text.emails:
            return text.emails[0]
        if self.phones and text.phones:
            return text.phones[0]
        return None


class Scanner:
    """Several lexicons at once, in few steps per text. Single words: one intersection of the
    text's words with the words of every lexicon, each word naming its lexicons. Phrases: tried
    (a substring search) only when their first word is there. Keywords in capitals and patterns:
    tried only when their gate words are among the text's words. Links, phone numbers, e-mail
    addresses and template brackets: read once per text, offered to the lexicons that look for
    them."""

    def __init__(self, lexicons: Iterable[Lexicon], domains: Iterable[str] = ()) -> None:
        self.lexicons = tuple(lexicons)
        #: the top-level domains a link without a scheme may end with
        self.domains = frozenset(domains)
        plain: dict[str, set[str]] = {}
        checked: dict[str, list[tuple[Lexicon, str]]] = {}
        phrases: dict[str, list[tuple[str, Lexicon]]] = {}
        gates: dict[str, list[Lexicon]] = {}
        for lexicon in self.lexicons:
            for term in lexicon.terms:
                words = term.split()
                if len(words) > 1:
                    phrases.setdefault(words[0], []).append((term, lexicon))
                elif term in lexicon.excepts:
                    checked.setdefault(words[0], []).append((lexicon, term))
                else:
                    plain.setdefault(words[0], set()).add(lexicon.name)
            for word in lexicon.gates:
                gates.setdefault(word, []).append(lexicon)
        self.plain = {word: frozenset(names) for word, names in plain.items()}
        self.plain_words = frozenset(plain)
        self.checked = {word: tuple(group) for word, group in checked.items()}
        self.checked_words = frozenset(checked)
        self.phrases = {word: tuple(group) for word, group in phrases.items()}
        self.phrase_words = frozenset(phrases)
        self.gates = {word: tuple(group) for word, group in gates.items()}
        self.gate_words = frozenset(gates)
        #: (lexicon name, pattern) of the lexicons read over the text as written
        self.raw = tuple(
            (lexicon.name, lexicon.raw) for lexicon in self.lexicons if lexicon.raw is not None
        )
        needs = sorted({n for lexicon in self.lexicons if lexicon.raw for n in lexicon.raw_needs})
        #: one search for whatever makes a raw pattern worth trying
        self.raw_gate = re.compile("|".join(map(re.escape, needs))) if needs else None
        self.links = tuple(
            lexicon for lexicon in self.lexicons if lexicon.any_link or lexicon.hosts
        )
        #: every link is wanted, or only links to these hosts (found by a substring search
        #: before the links are read)
        self.any_link = any(lexicon.any_link for lexicon in self.links)
        hosts = sorted({h for lexicon in self.links for h in lexicon.hosts})
        self.host_gate = re.compile("|".join(map(re.escape, hosts)) or "(?!)")
        self.phones = tuple(lexicon.name for lexicon in self.lexicons if lexicon.phones)
        self.emails = tuple(lexicon.name for lexicon in self.lexicons if lexicon.emails)

    def scan(self, text: Text) -> set[str]:
        """The names of the lexicons the text holds."""
        words = text.words
        found: set[str] = set()
        for word in words & self.plain_words:
            found |= self.plain[word]
        for word in words & self.checked_words:
            for lexicon, term in self.checked[word]:
                if lexicon.name not in found and lexicon.term_found(text, term):
                    found.add(lexicon.name)
        for word in words & self.phrase_words:
            for term, lexicon in self.phrases[word]:
                if lexicon.name not in found and lexicon.term_found(text, term):
                    found.add(lexicon.name)
        for word in words & self.gate_words:
            for lexicon in self.gates[word]:
                if lexicon.name not in found and lexicon.keyword_found(text) is not None:
                    found.add(lexicon.name)
        if self.raw_gate is not None:
            raw = text.raw
            if self.raw_gate.search(raw):
                for name, pattern in self.raw:
                    if name not in found and pattern.search(raw):
                        found.add(name)
        lower = text.lower
        if (
            self.links
            and ("://" in lower or _DOTTED.search(lower))
            and (self.any_link or self.host_gate.search(lower))
            and text.links
        ):
            for lexicon in self.links:
                if lexicon.any_link or any(_under(h, lexicon.hosts) for h, _ in text.links):
                    found.add(lexicon.name)
        if self.emails and text.emails:
            found.update(self.emails)
        if self.phones and text.phones:
            found.update(self.phones)
        return found


def _under(host: str, hosts: frozenset[str]) -> bool:
    """Whether ``host`` is one of ``hosts`` or a subdomain of one."""
    if host in hosts:
        return True
    parts = host.split(".")
    return any(".".join(parts[i:]) in hosts for i in range(1, len(parts) - 1))


@lru_cache(maxsize=1024)
def spaced_names(names: tuple[str, ...], suffixes: Lexicon | None) -> tuple[str, ...]:
    """The spaced forms a brand name may take in a text: as given, without its legal suffix
    ("Acme Plumbing LLC" -> "acme plumbing"), and its first two words when it has more than two."""
    tails = [] if suffixes is None else [term.split() for term in suffixes.terms]
    forms: list[str] = []
    for name in names:
        words = _spaced(name).split()
        stripped = True
        while stripped and len(words) > 1:
            stripped = False
            for tail in tails:
                if len(words) > len(tail) and words[-len(tail) :] == tail:
                    words, stripped = words[: -len(tail)], True
                    break
        for candidate in (_spaced(name).split(), words, words[:2] if len(words) > 2 else []):
            spaced = " " + " ".join(candidate) + " "
            if candidate and spaced not in forms:
                forms.append(spaced)
    return tuple(forms)


def domain_of(value: str) -> str:
    """The host of a website or the domain of an e-mail address, lower case, without ``www.``."""
    text = value.strip().lower()
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    host = re.split(r"[/?#:]", text, maxsplit=1)[0].strip(".")
    return host[4:] if host.startswith("www.") else host


def related_domains(one: str, other: str) -> bool:
    """Whether two domains are the same, or one is a subdomain of the other."""
    if not one or not other:
        return False
    return one == other or one.endswith("." + other) or other.endswith("." + one)


def non_latin_share(raw: str) -> float:
    """The share of letters outside the Latin scripts (0 for ASCII text)."""
    if raw.isascii():
        return 0.0
    letters = [ch for ch in raw if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if ord(ch) > 0x24F) / len(letters)
