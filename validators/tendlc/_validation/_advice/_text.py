"""Texts and lexicons: what advice looks for in a field's text, compiled once per process.

A text's words are read once, when it is made (its lower-case words, a list split in C), and
with them its hits: the few of its words in the vocabulary of the :class:`Scanner` of its field,
found by one set intersection. The scanner tells from the hits which lexicons the text holds;
the other views (the single-spaced lower-case form for phrases and patterns, the whole set of
words, the links, phone numbers and e-mail addresses) are read on first use, and what exactly
was found is looked up again only when an issue is written. The texts of one document are also
read together once (:class:`Document`) for what is rare in them, so that a text is searched for
links, addresses, numbers and brackets only when the document has any.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
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
_QUOTES = (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'))
#: the characters of the Latin scripts (and everything before them)
_LATIN = re.compile("[\x00-\u024f]+")


def straight(raw: str) -> str:
    """A text with its typographic quotes written as ASCII (a replacement per quote, each a
    search in C: translating a text of other scripts looks every character up)."""
    if raw.isascii():
        return raw
    for quote, ascii_quote in _QUOTES:
        if quote in raw:
            raw = raw.replace(quote, ascii_quote)
    return raw


#: A dot before a letter: where a link without a scheme can be (a literal first, so the
#: search skips from dot to dot).
_DOTTED = re.compile(r"\.[a-z]")
_DOTTED_CASED = re.compile(r"\.[A-Za-z]")
_LINK = re.compile(
    r"(https?://)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+([a-z]{2,24}))(?::\d+)?(?:[/?#]\S*)?"
)
_TRAILING = ".,;:!?)]}>\"'"
_PHONE = re.compile(
    r"(?<![\w#/=.-])(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\)|[2-9]\d{2})"
    r"[ .-]?[2-9]\d{2}[ .-]?\d{4}(?![\w-])"
)
_EMAIL = re.compile(r"[\w.+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
#: an address around one at sign: there is an address wherever this matches a character before
#: an at sign (read from the at signs, the text is not searched position by position)
_EMAIL_AT = re.compile(r"[\w.+-]@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


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
    is made, and with them the scanner's findings; the other views on first use."""

    __slots__ = (
        "_domains",
        "_emails",
        "_links",
        "_lower",
        "_phones",
        "_spaced",
        "_words",
        "found",
        "hits",
        "path",
        "raw",
        "tokens",
    )

    def __init__(
        self,
        raw: str,
        path: str,
        scanner: Scanner | None = None,
        document: Document | None = None,
    ) -> None:
        self.raw = straight(raw)
        self.path = path
        #: the lower-case words, in order
        self.tokens = words_of(self.raw)
        self._lower: str | None = None
        self._words: frozenset[str] | None = None
        self._spaced: str | None = None
        self._links: tuple[tuple[str, str], ...] | None = None
        self._phones: tuple[str, ...] | None = None
        self._emails: tuple[str, ...] | None = None
        if scanner is None:
            self._domains: frozenset[str] = frozenset()
            self.hits: frozenset[str] = frozenset()
            self.found: set[str] = set()
        else:
            self._domains = scanner.domains
            #: the words of the text that the scanner looks up (one set operation, in C)
            self.hits = scanner.vocabulary.intersection(self.tokens)
            #: the names of the lexicons the text holds (see :class:`Scanner`)
            self.found = scanner.scan(
                self, document or Document((self.raw,), scanner.raw_needs, scanner.host_gate)
            )

    @property
    def lower(self) -> str:
        """The text in lower case."""
        if self._lower is None:
            self._lower = self.raw.lower()
        return self._lower

    @property
    def words(self) -> frozenset[str]:
        """The lower-case words, as a set."""
        if self._words is None:
            self._words = frozenset(self.tokens)
        return self._words

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

    def has_phone(self) -> bool:
        """Whether the text holds a phone number (``phones`` is not empty)."""
        if self._phones is not None:
            return bool(self._phones)
        raw = self.raw
        digits = raw.encode("utf-8", "surrogatepass").translate(None, _NOT_DIGITS)
        return len(digits) >= 10 and _PHONE.search(raw) is not None

    def has_email(self) -> bool:
        """Whether the text holds an e-mail address (``emails`` is not empty)."""
        raw = self.raw
        at = raw.find("@")
        while at >= 0:
            if at and _EMAIL_AT.match(raw, at - 1):
                return True
            at = raw.find("@", at + 1)
        return False

    @property
    def emails(self) -> tuple[str, ...]:
        """The e-mail addresses."""
        if self._emails is None:
            raw = self.raw
            self._emails = tuple(m.group() for m in _EMAIL.finditer(raw)) if "@" in raw else ()
        return self._emails


#: a keyword that stands alone exactly where it is a whole word
_WORD = re.compile(r"[A-Za-z0-9-]+")


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
    #: (keyword, its lower case) when every keyword is letters, digits and hyphens
    _exact_words: tuple[tuple[str, str], ...] | None = field(
        default=None, repr=False, compare=False
    )

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
            _exact_words=tuple((word, word.lower()) for word in exact)
            if all(_WORD.fullmatch(word) for word in exact)
            else None,
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

    def keyword_held(self, text: Text) -> bool:
        """Whether :meth:`keyword_found` finds something, told without finding it. In a text of
        ASCII, a keyword of letters, digits and hyphens stands alone exactly where it is a whole
        word as written, so only the keywords whose lower case is among the text's ``hits`` (the
        scanner's vocabulary holds them) are looked for, by substring search."""
        words = self._exact_words
        raw = text.raw
        if words is not None and raw.isascii():
            hits = text.hits
            for keyword, lower in words:
                if lower in hits:
                    start = raw.find(keyword)
                    while start >= 0:
                        end = start + len(keyword)
                        if (start == 0 or not _wordish(raw[start - 1])) and (
                            end == len(raw) or not _wordish(raw[end])
                        ):
                            return True
                        start = raw.find(keyword, start + 1)
            return self.pattern is not None and self.pattern.search(text.spaced) is not None
        return self.keyword_found(text) is not None

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
    """Several lexicons at once, in one pass over each text. Every word that can decide something
    is in one set, the vocabulary: the single words of the lexicons, the word each phrase (and
    each word with exceptions) is looked up by, the words that make keywords and patterns worth
    trying, and the ``also`` words other rules count. A text's hits are its words in the
    vocabulary, found by one set intersection in C, so its words are never looped over in Python;
    each hit then names the lexicons it puts in the text and the phrases and keywords worth
    trying because it is there. Links, phone numbers, e-mail addresses and template brackets are
    read once per text, where a substring search says they may be there, and offered to the
    lexicons that look for them."""

    def __init__(
        self, lexicons: Iterable[Lexicon], domains: Iterable[str] = (), also: Iterable[str] = ()
    ) -> None:
        self.lexicons = tuple(lexicons)
        #: the top-level domains a link without a scheme may end with
        self.domains = frozenset(domains)
        plain: dict[str, set[str]] = {}
        tries: dict[str, list[tuple[Lexicon, str | None]]] = {}
        for lexicon in self.lexicons:
            for term in lexicon.terms:
                words = term.split()
                if len(words) == 1 and term not in lexicon.excepts:
                    plain.setdefault(words[0], set()).add(lexicon.name)
                elif words:
                    # a phrase is there only if each of its words is: it is tried when its
                    # longest (as a rule its rarest) word is among the text's words
                    tries.setdefault(max(words, key=len), []).append((lexicon, term))
            for word in lexicon.gates:
                tries.setdefault(word, []).append((lexicon, None))
        #: word -> the lexicons it puts in a text
        self.plain = {word: frozenset(names) for word, names in plain.items()}
        self.plain_words = frozenset(plain)
        #: word -> the lexicons it may put in a text, and per lexicon the phrases worth trying
        #: when it is there (a phrase of None: the lexicon's keywords and pattern)
        self.tries: Mapping[str, tuple[frozenset[str], tuple[_Tries, ...]]] = {
            word: (frozenset(lexicon.name for lexicon, _ in pairs), _by_lexicon(pairs))
            for word, pairs in tries.items()
        }
        self.try_words = frozenset(tries)
        self.vocabulary = self.plain_words | self.try_words | frozenset(also)
        #: (lexicon name, pattern) of the lexicons read over the text as written
        self.raw = tuple(
            (lexicon.name, lexicon.raw) for lexicon in self.lexicons if lexicon.raw is not None
        )
        #: what makes a raw pattern worth trying (each found by a substring search)
        self.raw_needs = tuple(
            sorted({n for lexicon in self.lexicons if lexicon.raw for n in lexicon.raw_needs})
        )
        self.links = tuple(
            lexicon for lexicon in self.lexicons if lexicon.any_link or lexicon.hosts
        )
        self.link_names = frozenset(lexicon.name for lexicon in self.links)
        self.any_link_names = frozenset(lexicon.name for lexicon in self.links if lexicon.any_link)
        #: whether a text's links are worth reading: it may hold one of the hosts looked for
        self.host_gate = host_gate({h for lexicon in self.links for h in lexicon.hosts})
        self.phones = frozenset(lexicon.name for lexicon in self.lexicons if lexicon.phones)
        self.emails = frozenset(lexicon.name for lexicon in self.lexicons if lexicon.emails)

    def scan(self, text: Text, document: Document) -> set[str]:
        """The names of the lexicons the text holds (its ``hits`` read first; what the
        ``document`` the text is part of does not hold is not looked for)."""
        hits = text.hits
        found: set[str] = set().union(*map(self.plain.__getitem__, hits & self.plain_words))
        for word in hits & self.try_words:
            names, groups = self.tries[word]
            if names <= found:
                continue
            for lexicon, terms in groups:
                name = lexicon.name
                if name in found:
                    continue
                for term in terms:
                    if (
                        lexicon.keyword_held(text)
                        if term is None
                        else lexicon.term_found(text, term)
                    ):
                        found.add(name)
                        break
        if self.raw_needs and document.brackets:
            raw = text.raw
            if any(map(raw.__contains__, self.raw_needs)):
                for name, pattern in self.raw:
                    if name not in found and pattern.search(raw):
                        found.add(name)
        # the cheap readings first: a lexicon already found needs none of the others
        if self.emails and document.at and not self.emails <= found and text.has_email():
            found |= self.emails
        if self.phones and document.digits and not self.phones <= found and text.has_phone():
            found |= self.phones
        if document.dots and not self.link_names <= found:
            # every link is wanted, or only links to some hosts: then the text holds one
            any_link = not self.any_link_names <= found
            if (
                (any_link or document.hosts)
                and _dotted(text)
                and (any_link or self.host_gate(text.lower))
                and text.links
            ):
                for lexicon in self.links:
                    if lexicon.any_link or any(_under(h, lexicon.hosts) for h, _ in text.links):
                        found.add(lexicon.name)
        return found


#: a lexicon, and the phrases of it worth trying (None: its keywords and pattern)
_Tries = tuple[Lexicon, tuple[str | None, ...]]


def _by_lexicon(pairs: Iterable[tuple[Lexicon, str | None]]) -> tuple[_Tries, ...]:
    grouped: dict[str, tuple[Lexicon, list[str | None]]] = {}
    for lexicon, term in pairs:
        grouped.setdefault(lexicon.name, (lexicon, []))[1].append(term)
    return tuple((lexicon, tuple(terms)) for lexicon, terms in grouped.values())


def _dotted(text: Text) -> bool:
    """Whether a text may hold a link: a scheme, or a dot before a letter."""
    raw = text.raw
    view = raw if raw.isascii() else text.lower  # the same dots, without lowering
    return "://" in view or _DOTTED_CASED.search(view) is not None


class Document:
    """The texts of one document, read together once for what is rare in them (template
    brackets, an at sign, ten digits, a dot before a letter, a host): a text can only hold what
    the whole holds, so a text is searched for those only when the whole has them. ``needs``
    and ``hosts`` are what the scanners of the document's texts look for, all together."""

    __slots__ = ("at", "brackets", "digits", "dots", "hosts", "raw")

    def __init__(
        self,
        raws: Iterable[str],
        needs: Iterable[str] = (),
        hosts: Callable[[str], object] | None = None,
    ) -> None:
        raw = "\n".join(raws)
        #: the texts, one a line, as :class:`Text` reads them
        self.raw = raw = straight(raw)
        #: whether a text may hold one of ``needs``
        self.brackets = any(map(raw.__contains__, needs))
        #: whether a text may hold an e-mail address
        self.at = "@" in raw
        #: whether a text may hold ten digits (a phone number)
        self.digits = len(raw.encode("utf-8", "surrogatepass").translate(None, _NOT_DIGITS)) >= 10
        #: whether a text may hold a link, and one to a host of ``hosts``
        self.dots = "://" in raw or _DOTTED_CASED.search(raw) is not None
        lower = raw if raw.isascii() and not self.dots else raw.lower()
        if not self.dots:
            self.dots = "://" in lower or _DOTTED.search(lower) is not None
        self.hosts = self.dots and hosts is not None and bool(hosts(lower))


def host_gate(hosts: Iterable[str]) -> Callable[[str], object]:
    """A search that finds whether any of the hosts is in a text. Each host is looked for from
    its first dot (a literal the search skips to) and checked backwards from its end, so a text
    is read once whatever the number of hosts; a host without a dot is never a link's."""
    tails: dict[str, list[str]] = {}
    for host in sorted(hosts):
        head, dot, tail = host.partition(".")
        if dot and head:
            tails.setdefault(tail, []).append(host)
    if not tails:
        return lambda text: None
    branches = (
        re.escape(tail) + "(?:" + "|".join(f"(?<={re.escape(host)})" for host in group) + ")"
        for tail, group in tails.items()
    )
    return re.compile(r"\.(?:" + "|".join(branches) + ")").search


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
    letters = sum(map(str.isalpha, raw))
    if not letters:
        return 0.0
    return sum(map(str.isalpha, _LATIN.sub("", raw))) / letters
