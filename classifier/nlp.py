"""The spaCy pipeline: chat tokenizer rules, normalised forms and the cue component.

:func:`build_nlp` returns ``spacy.blank("en")`` (no model download) with three
additions:

* tokenizer rules for chat: an emoji with its modifiers (skin tone, VS16, ZWJ
  sequences, flags, keycaps) is one token, a run of ``!``/``?`` is one token, and
  emoticons, URLs and @mentions stay whole;
* normalised forms, set on every lexeme when spaCy creates it (so they cost nothing per
  token): lowercase, stretched letters undone (``"sooo"`` -> ``"so"``), ok-variants
  (``"k"``, ``"kk"``, ``"okay"``, ``"oki"``) -> ``"ok"``, laughter -> ``"haha"``,
  ``"hehe"``, ``"lol"`` or ``"lmao"``, chat spellings (``"u"`` -> ``"you"``, ``"thx"``
  -> ``"thanks"``), URLs -> ``"<url>"``, mentions -> ``"<mention>"``, emoji without
  skin tone or VS16. ``Token.norm_`` and ``Token._.reread_norm`` hold the form;
  ``Token.text`` keeps the original;
* the ``reread_cues`` component, which marks the cues of :data:`CUE_NAMES` with one
  :class:`~spacy.matcher.PhraseMatcher` and one :class:`~spacy.matcher.Matcher` pass
  over the normalised forms, and records them as ``Doc._.reread_cues`` (cue -> count)
  and ``Doc._.reread_cue_spans`` (``[cue, start_char, end_char]``).

Cues are evidence, not labels: GUIDELINES.md says a cue makes a reading likely only in
its context, so the classifier combines the cues of a reply with those of the message it
answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import spacy
from spacy.attrs import IDX, LENGTH, NORM, ORTH
from spacy.lang.tokenizer_exceptions import URL_MATCH
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Token
from spacy.util import (
    compile_infix_regex,
    compile_prefix_regex,
    compile_suffix_regex,
)
from spacy.vocab import Vocab

from ._memory import forget_oldest_half
from .errors import ClassifierError

__all__ = ["CUE_NAMES", "build_nlp", "analyse", "explain", "make_cues", "tag_strings"]

#: The cue names, in the column order of :func:`analyse`. Each is shown to a user as
#: evidence, so the names are stable.
CUE_NAMES: tuple[str, ...] = (
    "hedge",
    "softener",
    "gratitude",
    "apology",
    "enthusiasm",
    "question",
    "minimiser",
    "noncommittal",
    "formal_closer",
    "final_period",
    "laughter",
    "affection",
    "reason",
    "new_date",
    "ok_word",
    "laughter_only",
    "emoji_only",
    "greeting",
    "invitation",
    "news",
    "disclosure",
    "excitement",
)
_CUE_INDEX = {cue: i for i, cue in enumerate(CUE_NAMES)}

# --------------------------------------------------------------------------------------
# Characters: emoji, emoticons, laughter
# --------------------------------------------------------------------------------------

# Emoji presentation bases. The supplementary planes 1F000-1FAFF include the regional
# indicators and skin-tone modifiers, which the alternatives below take care of first.
_EMOJI_BASE = (
    "\u203c\u2049\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf"
    "\u23e9-\u23f3\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe"
    "\u2600-\u27bf\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d"
    "\u3297\u3299\U0001f000-\U0001faff"
)
_EMOJI_MOD = "\ufe0e\ufe0f\U0001f3fb-\U0001f3ff"
_SKIN_AND_VS = re.compile(f"[{_EMOJI_MOD}]")
#: One user-perceived emoji: a flag, a keycap, a subdivision flag, or a base with
#: modifiers, joined to further bases by ZWJ (U+200D).
EMOJI_PATTERN = (
    "(?:[\U0001f1e6-\U0001f1ff]{2}"
    "|[0-9#*]\ufe0f?\u20e3"
    "|\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
    f"|[{_EMOJI_BASE}][{_EMOJI_MOD}]*(?:\u200d[{_EMOJI_BASE}][{_EMOJI_MOD}]*)*)"
)
_EMOJI_TOKEN = re.compile(f"{EMOJI_PATTERN}+")
_PUNCT_RUN = "[!?]{2,}"

#: Emoticons kept as single tokens (spaCy's English rules already hold most of them).
EMOTICONS: frozenset[str] = frozenset(
    ":) :-) :)) :( :-( :(( :D :-D xD XD xd ;) ;-) <3 <33 <333 </3 :/ :-/ :\\ ^^ ^_^ "
    "^.^ ^-^ -_- -.- :') :'( =) =( =D :P :p :-P :-p :o :O :| :-| :3 (: ): ;D :S :s "
    "o.O O.o".split()
)

_LAUGH_HA = re.compile(r"^a?(?:h+a+){2,}h*$")
_LAUGH_HE = re.compile(r"^(?:h+[ei]+){2,}h*$")
_LAUGH_LOL = re.compile(r"^l+o+l+(?:o+l+)*z?$")
_LAUGH_LMAO = re.compile(r"^lmf?a+o+$")
_RUN3 = re.compile(r"([a-z])\1{2,}")
_MENTION = re.compile(r"^@\w")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.\w+$")
_PUNCT_ONLY = re.compile(r"^[^\w\s]+$")

#: Normalised laughter forms (the ``laughter`` cue and the laughter-only test).
LAUGH_NORMS: frozenset[str] = frozenset(
    "haha hehe lol lmao rofl roflmao xd 😂 🤣 😆 😹 💀".split()
)

# Chat spellings, looked up after lowercasing and after undoing stretched letters.
_NORM_TABLE: dict[str, str] = {
    **dict.fromkeys(
        "k kk ok okay okey oki okie okies o.k. o.k mkay mk kay okayy okkay".split(),
        "ok",
    ),
    **dict.fromkeys("thx thnx thanx tnx thks tks".split(), "thanks"),
    **dict.fromkeys("pls plz pleez pleas".split(), "please"),
    **dict.fromkeys("sry srry soz".split(), "sorry"),
    **dict.fromkeys(
        "tmrw tmr tmw tmrow tomoz 2moro 2morrow 2mrw tomorow tommorow".split(),
        "tomorrow",
    ),
    **dict.fromkeys("tonite 2nite".split(), "tonight"),
    **dict.fromkeys("prob probs prolly".split(), "probably"),
    **dict.fromkeys("bc b/c cos coz cuz bcos bcoz bcuz becuz".split(), "because"),
    **dict.fromkeys("wat wut wot".split(), "what"),
    **dict.fromkeys("rly rlly".split(), "really"),
    **dict.fromkeys("yea yeh".split(), "yeah"),
    **dict.fromkeys("<33 <333 ♥".split(), "<3"),
    "u": "you",
    "r": "are",
    "abt": "about",
    "luv": "love",
    "ppl": "people",
    "xdd": "xd",
    "lmfao": "lmao",
    "lolz": "lol",
}
# Words whose double letter survives when a run of three or more is undone
# ("gooood" -> "good", but "sooo" -> "so").
_DOUBLE_WORDS = frozenset(
    "good cool too soon food mood book look looks see need feel feels free keep sleep "
    "sweet week meet three agree been seen sorry all well still will call tell miss "
    "kiss boss less mess happy pretty hello really silly funny little off stuff pass "
    "class add odd egg zoo boo woo aww shh hmm ooh ahh eek wee bee loo cheers coffee "
    "jeez beer door floor poor moon noon room school fool pool goodnight tomorrow "
    "summer dinner better yummy mm umm bless dress guess".split()
)
# Chat words typed with their last letter doubled ("yess", "heyy", "okk").
_TAIL_WORDS = frozenset(
    "yes no so hi hey bye ok omg pls wow yay nice cute what why lol now thanks please "
    "love me lmao oh haha hehe sure fine great babe hun night ty congrats".split()
)


def _unstretch(s: str) -> str:
    """Undo stretched letters: ``"sooo"`` -> ``"so"``, ``"gooood"`` -> ``"good"``."""
    if _RUN3.search(s):
        two = _RUN3.sub(r"\1\1", s)
        if two in _DOUBLE_WORDS:
            return two
        s = _RUN3.sub(r"\1", s)
    if len(s) > 2 and s[-1] == s[-2] and s[:-1] in _TAIL_WORDS:
        s = s[:-1]
    return s


def normalise(text: str) -> str:
    """Return the normalised form of one token's text (lowercase, chat spellings).

    Parameters
    ----------
    text : str
        The text of one token.

    Returns
    -------
    str
        The form the matchers and the vectoriser see.

    Examples
    --------
    >>> [normalise(t) for t in ["Sooo", "kk", "hahahaaa", "👋🏽", "u", "PLEEEASE"]]
    ['so', 'ok', 'haha', '👋', 'you', 'please']
    """
    s = text.lower()
    if "’" in s or "‘" in s:
        s = s.replace("’", "'").replace("‘", "'")
    hit = _NORM_TABLE.get(s)
    if hit is not None:
        return hit
    if not s or s.isspace():
        return s
    if s.isalpha():
        s = _unstretch(s)
        if "h" in s:
            if _LAUGH_HA.match(s):
                return "haha"
            if _LAUGH_HE.match(s):
                return "hehe"
        elif s[0] == "l":
            if _LAUGH_LOL.match(s):
                return "lol"
            if _LAUGH_LMAO.match(s):
                return "lmao"
        return _NORM_TABLE.get(s, s)
    if _EMOJI_TOKEN.fullmatch(s):
        return _SKIN_AND_VS.sub("", s) or s
    if len(s) > 1 and not s.strip("!?"):
        if "!" in s and "?" in s:
            return "?!"
        return s[:3] if s[0] == "!" else "??"
    if _MENTION.match(s):
        return "<mention>"
    if "@" in s and _EMAIL.match(s):
        return "<email>"
    if URL_MATCH(s):
        return "<url>"
    return s


# Token classes, computed once per word type (see CueComponent._bits).
(_SPACE, _PUNCT, _EMOJI, _LAUGH, _STRETCH, _CAPS, _OK, _WORD, _INTERJ, _NUM, _CLOCK) = (
    1 << i for i in range(11)
)
_BOUNDARY = _SPACE | _PUNCT | _EMOJI | _LAUGH
# All-caps words that are names, not shouting.
_NOT_CAPS = frozenset(
    "fyi asap eta tbh brb btw imo imho idk nhs bbc usa dm pdf ceo cv gp uk us hr pm "
    "am tv pr pc id ny la bf gf ig fb eu ai it qa ui ux ok".split()
)
_NOT_STRETCH = frozenset(
    "hm hmm um umm mm mmm uh er erm ugh z zz sh shh pf pff meh argh ergh hmph x".split()
)


def _token_bits(text: str) -> int:
    """Return the class bits of one token text."""
    if not text or text.isspace():
        return _SPACE
    norm = normalise(text)
    bits = 0
    if text in EMOTICONS or _EMOJI_TOKEN.fullmatch(text):
        bits |= _EMOJI
    elif _PUNCT_ONLY.match(text):
        bits |= _PUNCT
    else:
        bits |= _WORD
    if norm in LAUGH_NORMS:
        bits |= _LAUGH
    if norm == "ok":
        bits |= _OK
    if norm in _INTERJECTIONS:
        bits |= _INTERJ
    if norm in _NUMBER_WORDS or any(c.isdigit() for c in text):
        bits |= _NUM
    if norm in _CLOCK_WORDS or (":" in text and bits & _NUM):
        bits |= _CLOCK
    if text.isalpha() and not bits & _LAUGH:
        low = text.lower()
        if (
            _RUN3.search(low)
            and norm not in _NOT_STRETCH
            or (low[-2:-1] == low[-1:] and low[:-1] == norm and norm in _TAIL_WORDS)
        ):
            bits |= _STRETCH
        if len(text) >= 2 and text.isupper() and norm not in _NOT_CAPS and norm != "ok":
            bits |= _CAPS
    return bits


# --------------------------------------------------------------------------------------
# Cue rules
# --------------------------------------------------------------------------------------


class _Rule(NamedTuple):
    """Phrases that mark one cue, where they must sit, and what must not touch them."""

    cue: str
    phrases: tuple[str, ...]
    where: str = "any"  # "any", "initial", "final" or "whole" (clause position)
    not_before: frozenset[str] = frozenset()  # norms that may not precede the match
    not_after: frozenset[str] = frozenset()  # norms that may not follow the match


def _r(
    cue: str,
    phrases: str,
    where: str = "any",
    not_before: str = "",
    not_after: str = "",
) -> _Rule:
    """Build a rule from ``|``-separated phrases and space-separated neighbour norms."""
    return _Rule(
        cue,
        tuple(p.strip() for p in phrases.split("|") if p.strip()),
        where,
        frozenset(not_before.split()),
        frozenset(not_after.split()),
    )


_JUST_TEMPORAL = (
    "got had heard found finished passed arrived landed saw came left woke bought "
    "booked moved started won realised realized now happened did made signed "
    "graduated like as about in the enough"
)


def _ordinal(n: int) -> str:
    """Return ``n`` as an English ordinal: 1st, 2nd, 3rd, 4th, 11th."""
    suffix = (
        "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10)
    )
    return f"{n}{suffix or 'th'}"


_ORDINALS = " | ".join(f"the {_ordinal(n)}" for n in range(1, 32))

# A question by its first two words ("are you", "what time"), at a clause start.
_WH = "what why how when where who which whose whats wheres hows whos".split()
_WH_NEXT = (
    "are is was were do does did can could would will should have has am 's time "
    "about come else if many much long one kind happened".split()
)
_AUX = (
    "are is was were do does did can could would will should shall have has am "
    "may".split()
)
_PRON = "you we i it he she they there that this your ya".split()
_QUESTION_STARTS = " | ".join(
    [f"{a}{b}" if b.startswith("'") else f"{a} {b}" for a in _WH for b in _WH_NEXT]
    + [f"{a} {b}" for a in _AUX for b in _PRON]
)

#: The phrase rules. Phrases are tokenized with the pipeline's own tokenizer and matched
#: on normalised forms, so "we'll see", "we will see" and "WE'LL SEEE" all match.
RULES: tuple[_Rule, ...] = (
    _r(
        "hedge",
        "maybe | perhaps | possibly | probably | kinda | sorta | i guess | i suppose "
        "| guess so | suppose so | not sure | i think | idk | i dunno | dunno "
        "| i'd say | more or less | somewhat | ish",
    ),
    _r("hedge", "kind of", not_after="you yours him her them"),
    _r("hedge", "sort of", not_before="what this that any some which the a every"),
    _r(
        "softener",
        "a bit | a little | a little bit | sorry but | sorry , but | no worries "
        "| no pressure | no rush | if that's ok | if you don't mind | if you want "
        "| only if | lowkey | 😅",
    ),
    _r("softener", "just", not_after=_JUST_TEMPORAL),
    _r(
        "gratitude",
        "thanks | thank you | thank u | thankyou | ty | tysm | cheers | appreciate it "
        "| appreciate that | appreciate you | much appreciated | grateful | 🙏",
        not_before="no",
    ),
    _r("gratitude", "ta", where="whole"),
    _r(
        "apology",
        "sorry | apologies | my apologies | i apologise | i apologize | my bad "
        "| forgive me",
    ),
    _r(
        "enthusiasm",
        "!! | !!! | ?! | omg | oh my god | oh my gosh | omfg | yay | woohoo | woo "
        "| wow | amazing | awesome | incredible | fantastic | brilliant | wonderful "
        "| so happy | so excited | so proud | can't wait | congrats | congratulations "
        "| well done | love it | love this | hell yeah | let's go | best news "
        "| happy birthday | :D | 😍 | 🥳 | 🎉 | 🎊 | 🤩 | 😁 | 😄 | 😃 | 😊 | 🥹 | 🙌 "
        "| 👏 | 💪 | 🔥 | ✨ | 💯 | 🍾 | 🥂",
    ),
    _r("question", "? | ?? | ?! | hbu | wbu | wyd | wym | huh"),
    _r("question", _QUESTION_STARTS, where="initial"),
    _r(
        "minimiser",
        "calm down | stop going on | chill out | not a big deal | no big deal "
        "| not that big a deal | could be worse | get over it | overreacting "
        "| over reacting | overthinking | over thinking | being dramatic "
        "| so dramatic | drama queen | stop making a fuss | making a fuss "
        "| if you say so | worse things happen | that's life | welcome to "
        "| not that deep | no one cares | nobody cares | who cares "
        "| you worry too much | stop worrying | get a grip | man up | toughen up "
        "| not that bad | first world problems | it is what it is | sure you did "
        "| that's nothing | try doing | 🙄",
    ),
    _r(
        "minimiser",
        "you'll be fine | you will be fine | you'll be ok | it'll be fine "
        "| it'll be ok | it's fine | its fine",
        not_after="by with for to",
    ),
    _r("minimiser", "relax", where="initial", not_after="at with tonight today this"),
    _r(
        "minimiser",
        "chill",
        where="initial",
        not_before="so very pretty super was is 's be",
        not_after="night evening day weekend vibes place spot at with tonight today "
        "tomorrow and",
    ),
    _r(
        "minimiser",
        "whatever",
        not_after="you works suits is 's time day happens happened it the we i they "
        "he she your",
    ),
    _r("minimiser", "ok and | and ? | so ? | and ??", where="whole"),
    _r(
        "noncommittal",
        "we'll see | well see | we shall see | we'll have to see | maybe another time "
        "| another time | some other time | maybe next time | next time "
        "| i'll let you know | let you know | not sure yet | might | might do "
        "| depends | it depends | let me check | i'll check | let me see "
        "| i'll think about it | think about it | sometime | i'll try | i'll see "
        "| see how i feel | see how it goes | if i can | if i'm free | if i have time "
        "| tbc | tbd | get back to you | rain check | raincheck | hopefully "
        "| no promises | possibly | let's see",
        not_after="as",
    ),
    _r(
        "noncommittal",
        "maybe | hmm maybe | maybe maybe",
        where="whole",
        not_after="!! !!!",  # "maybe!! yes!!" is a playful yes
    ),
    _r(
        "formal_closer",
        "duly noted | regards | kind regards | best regards | best wishes "
        "| thanks for letting me know | thank you for letting me know "
        "| thanks for the update | thank you for the update | as i said | like i said "
        "| as i mentioned | as previously mentioned | i already told you "
        "| already told you | very well | apology accepted | much obliged | sincerely",
    ),
    _r("formal_closer", "noted | understood | acknowledged", where="initial"),
    _r("laughter", " | ".join(sorted(LAUGH_NORMS))),
    _r(
        "affection",
        "love | love you | love ya | ily | ilysm | miss you | miss ya | proud of you "
        "| so proud | xx | xoxo | hugs | big hug | <3 | ❤ | ♥ | 💕 | 💖 | 💗 | 💓 "
        "| 💞 | 💘 | 💝 | 💜 | 💙 | 💚 | 💛 | 🧡 | 🤍 | 🖤 | 🤎 | 😘 | 😍 | 🥰 | 😚 "
        "| 🫶 | 🫂 | 💋 | 😻 | 🤗 | babe | hun | hon | honey | sweetie | sweetheart "
        "| darling | bestie",
    ),
    _r("affection", "x", where="final"),
    _r(
        "reason",
        "because | as i'm | i have to | i've got | i have got | got work | working "
        "| at work | work till | work until | on shift | shift | night shift "
        "| on call | exam | exams | appointment | appt | dentist | doctor's | doctors "
        "| interview | meeting | deadline | flight | babysitting | visiting "
        "| out of town | my mum's | my dad's | my sister's | my brother's | my nan's "
        "| my parents | hen do | stag do | on holiday | childcare | school run",
    ),
    _r(
        "reason",
        "since i | since i'm | since i've | since we | since it's | since my "
        "| since you",
    ),
    _r(
        "reason",
        "i have to | i have a | i have an | i have my | i have work | i have class "
        "| i have plans",
    ),
    _r(
        "new_date",
        "monday | tuesday | tues | wednesday | weds | thursday | thurs | friday "
        "| saturday | sunday | next week | next month | tomorrow | tonight "
        "| this weekend | next weekend | this evening | later today | later this week "
        f"| tomorrow night | instead | {_ORDINALS}",
    ),
    _r(
        "new_date",
        "how about | what about",
        not_after="you it that them him her me this us",
    ),
    _r(
        "greeting",
        "hello | hiya | heya | howdy | good morning | good afternoon | good evening "
        "| good night | goodnight | nighty night | how are you | how's it going "
        "| how you doing | hru | wassup | what's up | sup",
    ),
    _r(
        "greeting",
        "hi | hey | yo | dear | morning | evening | gm | bye | cya",
        where="initial",
    ),
    _r("greeting", "night | gn | ttyl", where="whole"),
    _r(
        "invitation",
        "you want to | do you want to | would you like | are you free | you free "
        "| free tonight | are you around | you around | let's | shall we | join us "
        "| join me | you're coming | you're invited | invite you | come over "
        "| come round | come with | come along | come to | you coming "
        "| are you coming | you up for | anyone up for | up for a | you down for "
        "| anyone down for | grab a drink | grab dinner | grab lunch | get food "
        "| drinks | pub | party",
        not_after="think",
    ),
    _r(
        "invitation",
        "wanna | want to",
        not_before="i we they he she not really also just",
    ),
    _r("invitation", "lets | coming to", where="initial"),
    _r(
        "invitation",
        "fancy",
        where="initial",
        not_before="so very too a the pretty super how is 's was looks look",
    ),
    _r("invitation", "you in | are you in", where="final"),
    _r(
        "news",
        "guess what | i passed | passed | we're moving | i'm moving | i'm pregnant "
        "| we're pregnant | pregnant | engaged | new job | promoted | promotion "
        "| got the job | got in | got into | i won | we won | graduated "
        "| got accepted | got the keys | bought a house | getting married "
        "| got married | having a baby | had the baby | it's a girl | it's a boy "
        "| big news | news | i did it | job offer | got an offer | got hired "
        "| got a place",
        not_after="away",
    ),
    _r(
        "news",
        "i got | we got",
        not_after="it you this home back up to in here there that",
    ),
    _r(
        "disclosure",
        "i feel | i'm feeling | feeling low | feeling down | feeling sick "
        "| feeling awful | feeling rubbish | feeling bad | feel like | scared "
        "| terrified | worried | worrying | worry | anxious | anxiety | nervous | sad "
        "| upset | struggling | i miss | hurts | depressed | lonely | stressed "
        "| overwhelmed | exhausted | burnt out | burned out | crying | cried "
        "| can't stop | not ok | heartbroken | embarrassed | ashamed | angry "
        "| frustrated | panic | panicking | feeling low | really low | so low "
        "| really down | so down | been feeling | miserable | distant "
        "| don't feel well | not feeling well | feel sick | feel ill | need to talk "
        "| can we talk | vent | rough day | rough week | broke up | dumped "
        "| passed away | died | funeral | sick | unwell | diagnosed | hospital "
        "| i'm not okay | not doing great | 😔 | 😞 | 😢 | 🥺 | 💔 | :( | :'(",
    ),
    _r("disclosure", "hurt", not_before="not never"),
    _r("disclosure", "afraid", not_after="i we not so"),
    _r(
        "excitement",
        "!!! | ?! | omg | oh my god | omfg | guess what | can't believe | finally "
        "| so excited | eek | ahh | yay | woohoo | 😭 | 🎉 | 🥳 | 🤩 | 😱 | 🥹 | 💍 "
        "| 🏠 | 🎓 | 🍾 | 🥂 | 🙌 | ‼",
    ),
)

# Phrases that switch a cue off where they overlap it ("no thanks" is no gratitude).
BLOCKERS: dict[str, tuple[str, ...]] = {
    "hedge": ("probably not",),
    "apology": (
        "sorry to hear",
        "so sorry to hear",
        "sorry for your loss",
        "sorry about your",
        "sorry that happened",
        "sorry you're",
    ),
    "news": ("got it", "got you", "passed away", "apology accepted"),
    "reason": ("i have no idea",),
    "minimiser": ("whatever you want", "whatever u want", "can't stop"),
    "disclosure": ("how i feel", "you worry", "don't worry", "not worry"),
    "invitation": ("let's see", "let me see"),
    "noncommittal": ("might as well",),
}

# Words that may come before an ok-word at the start ("oh ok", "oh wow ok").
_OK_OPENERS = "oh ah ahh mm hmm um uh erm er wow right yeah".split()

_INTERJECTIONS = frozenset(
    "oh ah ok well so and but just um hmm mm yeah yes no nah omg wait dude mate babe "
    "bro honestly seriously please hey hi anyway anyways also btw then okay".split()
)

# Token patterns (the Matcher): clock times. It runs only on Docs with a number.
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve".split()
)
_TIME_WORDS = ["am", "pm", "p.m.", "a.m.", "ish", "o'clock", "oclock"]
_TIME_PREPS = ["at", "around", "after", "@"]
_CLOCK_SHAPES = ["d", "dd", "d.dd", "dd.dd", "d:dd", "dd:dd"]
# A Doc can hold a clock time only if it has a number and one of these (or "7:30"):
# the Matcher is slow, so it runs only then.
_CLOCK_WORDS = frozenset(_TIME_WORDS + _TIME_PREPS)
TOKEN_PATTERNS: dict[str, tuple[str, str, list[list[dict[str, Any]]]]] = {
    "new_date/clock": (
        "new_date",
        "any",
        [
            [{"SHAPE": {"IN": ["d:dd", "dd:dd"]}}],
            [{"LIKE_NUM": True}, {"NORM": {"IN": _TIME_WORDS}}],
            [{"NORM": {"IN": _TIME_PREPS}}, {"SHAPE": {"IN": _CLOCK_SHAPES}}],
        ],
    ),
}

# --------------------------------------------------------------------------------------
# Extensions and the component
# --------------------------------------------------------------------------------------


def _token_norm(token: Token) -> str:
    """Getter of ``Token._.reread_norm``."""
    return str(token.norm_)


if not Doc.has_extension("reread_cues"):
    Doc.set_extension("reread_cues", default=None)
if not Doc.has_extension("reread_cue_spans"):
    Doc.set_extension("reread_cue_spans", default=None)
if not Token.has_extension("reread_norm"):
    Token.set_extension("reread_norm", getter=_token_norm)


def _install_norms(vocab: Vocab) -> None:
    """Make ``vocab`` give every lexeme our normalised form, now and from now on."""
    getters = vocab.lex_attr_getters  # type: ignore[attr-defined]
    if getters.get(NORM) is normalise:
        return
    getters[NORM] = normalise
    for lex in vocab:
        lex.norm_ = normalise(lex.orth_)


_ARRAY_ATTRS = [ORTH, NORM, IDX, LENGTH]
_MEMO_SIZE = 200_000  # word types whose classes a component remembers
_Span = list[Any]  # [cue, start_char, end_char]
_Result = tuple[dict[str, int], list[_Span]]
_Found = list[tuple[str, int, int]]


class _Check(NamedTuple):
    """A rule as the component applies it: neighbour norms as string hashes."""

    cue: str
    where: str
    not_before: frozenset[int]
    not_after: frozenset[int]


class CueComponent:
    """The ``reread_cues`` pipeline component: marks cues on each Doc.

    Build it with ``nlp.add_pipe("reread_cues")``, not directly. One
    :class:`~spacy.matcher.PhraseMatcher` on ``NORM`` finds the phrases of
    :data:`RULES` and :data:`BLOCKERS`; one :class:`~spacy.matcher.Matcher` finds
    :data:`TOKEN_PATTERNS`. The Matcher builds a Python object per token, so it runs
    only on Docs that hold a number. Token classes (emoji, laughter, capitals,
    stretched letters) are computed once per word type and remembered.

    Parameters
    ----------
    nlp : Language
        The pipeline; its tokenizer turns the phrases of :data:`RULES` into patterns.
    name : str
        The component name.
    final_period_max_tokens : int
        A message of at most this many tokens (the full stop not counted) that ends in
        ``.`` gets the ``final_period`` cue.
    """

    def __init__(self, nlp: Language, name: str, final_period_max_tokens: int) -> None:
        self.name = name
        self.final_period_max_tokens = final_period_max_tokens
        # The phrases must be tokenized as the Docs will be, also when spaCy builds
        # the pipeline from a saved config before it loads the saved tokenizer.
        _install_norms(nlp.vocab)
        _customize_tokenizer(nlp)
        strings = nlp.vocab.strings

        def hashes(words: Iterable[str]) -> frozenset[int]:
            return frozenset(strings.add(w) for w in words)

        self._checks: dict[int, _Check] = {}
        self._blockers: dict[int, str] = {}
        self._phrase_matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        for i, rule in enumerate(RULES):
            key = f"{rule.cue}#{i}"
            self._checks[strings.add(key)] = _Check(
                rule.cue, rule.where, hashes(rule.not_before), hashes(rule.not_after)
            )
            self._phrase_matcher.add(key, list(_phrase_docs(nlp, rule.phrases)))
        for cue, phrases in BLOCKERS.items():
            key = f"!{cue}"
            self._blockers[strings.add(key)] = cue
            self._phrase_matcher.add(key, list(_phrase_docs(nlp, phrases)))
        self._matcher = Matcher(nlp.vocab)
        for key, (cue, where, patterns) in TOKEN_PATTERNS.items():
            self._checks[strings.add(key)] = _Check(
                cue, where, frozenset(), frozenset()
            )
            self._matcher.add(key, patterns)
        self._bits_memo: dict[int, int] = {}
        self._dot = strings.add(".")
        self._ok_openers = hashes(_OK_OPENERS)

    def __call__(self, doc: Doc) -> Doc:
        """Mark the cues of one Doc."""
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        """Mark the cues of a stream of Docs, one at a time.

        Rules gain nothing from batching, and a Doc that is passed on at once dies
        young: holding ``batch_size`` Docs made Python's garbage collector promote
        them and cost a third of the run time. ``batch_size`` is accepted, unused.
        """
        for doc in stream:
            counts, spans = self._find(doc)
            ext = doc._
            ext.reread_cues = counts
            ext.reread_cue_spans = spans
            yield doc

    def predict(self, docs: Iterable[Doc]) -> list[_Result]:
        """Find the cues of each Doc without changing it.

        Parameters
        ----------
        docs : iterable of Doc

        Returns
        -------
        list of (dict, list)
            Per Doc, the cue counts and the ``[cue, start_char, end_char]`` spans.
        """
        return [self._find(doc) for doc in docs]

    def set_annotations(self, docs: Iterable[Doc], results: Iterable[_Result]) -> None:
        """Write ``Doc._.reread_cues`` and ``Doc._.reread_cue_spans``."""
        for doc, (counts, spans) in zip(docs, results, strict=True):
            ext = doc._
            ext.reread_cues = counts
            ext.reread_cue_spans = spans

    def _bits(self, orths: list[int], strings: Any) -> list[int]:
        """Return the class bits of each token, remembered per word type."""
        memo = self._bits_memo
        bits = [memo.get(orth, 0) for orth in orths]
        if 0 in bits:  # a word type seen for the first time
            if len(memo) > _MEMO_SIZE:
                memo.clear()
            for i, b in enumerate(bits):
                if not b:
                    orth = orths[i]
                    bits[i] = memo[orth] = _token_bits(strings[orth])
        return bits

    def _find(self, doc: Doc, arrays: list[list[int]] | None = None) -> _Result:
        """Return the cue counts and spans of one Doc.

        ``arrays`` is ``doc.to_array(_ARRAY_ATTRS).T.tolist()`` if the caller has it.
        """
        if len(doc) == 0:
            return {}, []
        if arrays is None:
            arrays = doc.to_array(_ARRAY_ATTRS).T.tolist()
        orths, norms, idxs, lengths = arrays
        bits = self._bits(orths, doc.vocab.strings)
        union = 0
        for b in bits:
            union |= b
        matches = self._phrase_matcher(doc)
        if union & _NUM and union & _CLOCK:
            matches += self._matcher(doc)
        found: _Found = []
        if matches:
            blocked: _Found = []
            checks = self._checks
            for key, start, end in matches:
                check = checks.get(key)
                if check is None:
                    blocked.append((self._blockers[key], start, end))
                elif _fits(bits, norms, check, start, end):
                    found.append((check.cue, start, end))
            if blocked and found:
                found = [f for f in found if not _overlaps(f, blocked)]
        if union & (_CAPS | _STRETCH):
            for i, b in enumerate(bits):
                if b & (_CAPS | _STRETCH):
                    found.append(("enthusiasm", i, i + 1))
                    found.append(("excitement", i, i + 1))
        self._shape_cues(bits, norms, union, found)
        if not found:
            return {}, []
        return _collect(found, idxs, lengths)

    def _shape_cues(
        self, bits: list[int], norms: list[int], union: int, found: _Found
    ) -> None:
        """Add the cues read off the shape of the whole message."""
        content = [i for i, b in enumerate(bits) if not b & _SPACE]
        if not content:
            return
        first, last = content[0], content[-1]
        for i in content[:4]:  # "ok", "oh ok", "oh. ok", "oh wow ok"
            if bits[i] & _OK:
                found.append(("ok_word", i, i + 1))
            elif bits[i] & _PUNCT or norms[i] in self._ok_openers:
                continue
            break
        if norms[last] == self._dot and 1 < len(content) <= (
            self.final_period_max_tokens + 1
        ):
            found.append(("final_period", first, last + 1))
        if union & _EMOJI and all(bits[i] & _EMOJI for i in content):
            found.append(("emoji_only", first, last + 1))
        if not union & _LAUGH:
            return
        words = [i for i in content if not bits[i] & _PUNCT]
        if words and all(bits[i] & _LAUGH for i in words):
            found.append(("laughter_only", first, last + 1))
        elif words and bits[words[-1]] & _LAUGH:
            # Laughter after a statement softens it ("can't make it haha").
            found.append(("softener", words[-1], words[-1] + 1))


def _overlaps(f: tuple[str, int, int], blocked: _Found) -> bool:
    """Whether a match overlaps a blocker of its cue."""
    return any(b[0] == f[0] and b[1] < f[2] and f[1] < b[2] for b in blocked)


def _phrase_docs(nlp: Language, phrases: Iterable[str]) -> Iterator[Doc]:
    """Tokenize phrases, adding spellings without apostrophes ("well see")."""
    seen: set[tuple[str, ...]] = set()
    for phrase in phrases:
        for variant in (phrase, phrase.replace("'", "")):
            doc = nlp.make_doc(variant)
            # "lets", "well", "its" alone are words in their own right.
            if variant != phrase and len(doc) < 2:
                continue
            norms = tuple(t.norm_ for t in doc)
            if norms and norms not in seen:
                seen.add(norms)
                yield doc


def _fits(
    bits: list[int], norms: list[int], check: _Check, start: int, end: int
) -> bool:
    """Whether a match sits where its rule allows and has no forbidden neighbour."""
    where = check.where
    if where != "any":
        if where in ("initial", "whole") and not (
            start == 0 or bits[start - 1] & (_BOUNDARY | _INTERJ)
        ):
            return False
        if where in ("final", "whole") and not (
            end == len(bits) or bits[end] & _BOUNDARY
        ):
            return False
    if check.not_before and start > 0 and norms[start - 1] in check.not_before:
        return False
    if check.not_after and end < len(bits) and norms[end] in check.not_after:
        return False
    return True


def _collect(found: _Found, idxs: list[int], lengths: list[int]) -> _Result:
    """Drop overlapping matches of the same cue and turn token offsets to characters."""
    found.sort(key=_position)
    counts: dict[str, int] = {}
    spans: list[_Span] = []
    reach: dict[str, int] = {}
    for cue, start, end in found:
        if reach.get(cue, -1) > start:
            continue
        reach[cue] = end
        counts[cue] = counts.get(cue, 0) + 1
        spans.append([cue, idxs[start], idxs[end - 1] + lengths[end - 1]])
    return counts, spans


def _position(found: tuple[str, int, int]) -> tuple[int, int]:
    """Sort key: by start, longest first."""
    return found[1], -found[2]


@Language.factory(
    "reread_cues",
    default_config={"final_period_max_tokens": 4},
)
def make_cues(nlp: Language, name: str, final_period_max_tokens: int) -> CueComponent:
    """Create the ``reread_cues`` component (the spaCy factory).

    The rules are written for the chat tokenizer and normalised forms, so this also
    adds the chat rules to ``nlp.tokenizer`` and sets the vocabulary's NORM getter to
    :func:`normalise` (both idempotent).

    Parameters
    ----------
    nlp : Language
        The pipeline.
    name : str
        The component name.
    final_period_max_tokens : int
        The longest message (in tokens, without the full stop) that gets
        ``final_period``.

    Returns
    -------
    CueComponent
    """
    return CueComponent(nlp, name, final_period_max_tokens)


# --------------------------------------------------------------------------------------
# Building the pipeline, public API
# --------------------------------------------------------------------------------------


#: How many distinct chunks the tokenizer remembers (spaCy's default is 10,000).
TOKENIZER_CACHE_SIZE = 200_000


def _customize_tokenizer(nlp: Language) -> None:
    """Add the chat rules to ``nlp``'s tokenizer (emoji, ``!!``, emoticons, ``k.``)."""
    tokenizer: Any = nlp.tokenizer
    defaults = nlp.Defaults
    ours = [EMOJI_PATTERN, _PUNCT_RUN]
    tokenizer.prefix_search = compile_prefix_regex(
        ours + list(defaults.prefixes or [])
    ).search
    tokenizer.suffix_search = compile_suffix_regex(
        ours + list(defaults.suffixes or [])
    ).search
    tokenizer.infix_finditer = compile_infix_regex(
        [EMOJI_PATTERN] + list(defaults.infixes or [])
    ).finditer
    # spaCy caches the tokens of at most 10,000 distinct whitespace-separated chunks;
    # a chat export has far more (names, typos), and a miss costs ~10x a hit.
    tokenizer.max_cache_size = max(tokenizer.max_cache_size, TOKENIZER_CACHE_SIZE)
    for letter in ("k", "K", "u", "U"):
        tokenizer.add_special_case(letter + ".", [{ORTH: letter}, {ORTH: "."}])
    for emoticon in EMOTICONS:
        if emoticon not in tokenizer.rules:
            tokenizer.add_special_case(emoticon, [{ORTH: emoticon}])


def build_nlp(spacy_model: str | None = None) -> Language:
    """Return the reread pipeline: chat tokenizer, normalised forms, ``reread_cues``.

    Parameters
    ----------
    spacy_model : str, optional
        The name (or path) of an installed trained spaCy pipeline, such as
        ``"en_core_web_sm"``, to load instead of ``spacy.blank("en")``. Nothing in
        reread needs one. The chat rules and the component are added to it; note that
        its models then see our normalised forms (``NORM``).

    Returns
    -------
    Language

    Raises
    ------
    ClassifierError
        If ``spacy_model`` is not installed.

    Examples
    --------
    >>> nlp = build_nlp()
    >>> nlp.pipe_names
    ['reread_cues']
    >>> [t.text for t in nlp("hi 👋🏽 :)")]
    ['hi', '👋🏽', ':)']
    """
    if spacy_model is None:
        nlp = spacy.blank("en")
    elif spacy.util.is_package(spacy_model) or Path(spacy_model).is_dir():
        nlp = spacy.load(spacy_model)
    else:
        raise ClassifierError(
            f"spaCy pipeline {spacy_model!r} is not installed. reread works without "
            "one: leave the spaCy model unset, or install it with "
            f"'python -m spacy download {spacy_model}'."
        )
    if "reread_cues" not in nlp.pipe_names:
        nlp.add_pipe("reread_cues", last=True)
    return nlp


@lru_cache(maxsize=1)
def _default_nlp() -> Language:
    """The pipeline used when none is passed: built once per process."""
    return build_nlp()


def _check_texts(texts: Iterable[str]) -> None:
    """Reject a bare string, which would be read one character at a time."""
    if isinstance(texts, str):
        raise ClassifierError(
            "expected an iterable of texts, got a single str; wrap it in a list"
        )


class _NormWords(dict):  # type: ignore[type-arg]
    """Normalised form by string hash, remembered for one call; whitespace -> ""."""

    def __init__(self, strings: Any) -> None:
        super().__init__()
        self.strings = strings

    def __missing__(self, key: int) -> str:
        word = self[key] = str(self.strings[key]).strip()
        return word


def analyse(
    texts: Iterable[str], nlp: Language | None = None, batch_size: int = 1000
) -> tuple[list[str], np.ndarray]:
    """Normalise texts and count their cues.

    Parameters
    ----------
    texts : iterable of str
        The messages; empty strings are allowed.
    nlp : Language, optional
        A pipeline from :func:`build_nlp`; by default one built once and cached.
    batch_size : int
        Passed to ``nlp.pipe``.

    Returns
    -------
    norms : list of str
        Per text, the normalised forms of its tokens joined by single spaces (split
        them with ``str.split``).
    cues : numpy.ndarray of float32, shape (n_texts, len(CUE_NAMES))
        Per text, the count of each cue in :data:`CUE_NAMES` order.

    Raises
    ------
    ClassifierError
        If ``texts`` is a single string, or ``nlp`` lacks the ``reread_cues``
        component.

    Examples
    --------
    >>> norms, cues = analyse(["Sooo happy!!", ""])
    >>> norms
    ['so happy !!', '']
    >>> cues.shape, cues.dtype
    ((2, 22), dtype('float32'))
    >>> {cue: int(n) for cue, n in zip(CUE_NAMES, cues[0]) if n}
    {'enthusiasm': 2, 'excitement': 1}
    """
    _check_texts(texts)
    if nlp is not None:
        return _analyse(texts, nlp, batch_size)
    # The default pipeline is deterministic, so its results are remembered per text:
    # while scoring, every message is read as a reply and again as the context of
    # the next, and chats repeat short messages ("ok", "lol") a great deal.
    texts = list(texts)
    remembered = _REMEMBERED
    # Read the memory once: another thread may change it meanwhile.
    looked_up = [remembered.get(t) for t in texts]
    missing = list(
        dict.fromkeys(t for t, f in zip(texts, looked_up, strict=True) if f is None)
    )
    fresh: dict[str, tuple[str, np.ndarray]] = {}
    if missing:
        nlp = _default_nlp()
        if len(nlp.vocab) > _VOCAB_AT_MOST:
            # Every new word type stays in the vocabulary (about 500 bytes each), so
            # a long run over many names and typos would grow without end: start
            # afresh, with the same results (rebuilding takes ~0.3 s).
            _default_nlp.cache_clear()
            nlp = _default_nlp()
        norms, cues = _analyse(missing, nlp, batch_size)
        fresh = dict(zip(missing, zip(norms, cues, strict=True), strict=True))
    found = [
        f if f is not None else fresh[t] for t, f in zip(texts, looked_up, strict=True)
    ]
    if len(remembered) + len(fresh) > _REMEMBER_AT_MOST:
        # The oldest half goes: the texts a chat repeats ("ok", "lol") come back
        # soon enough.
        forget_oldest_half(remembered)
    remembered.update(fresh)
    matrix = (
        np.vstack([row for _, row in found])
        if found
        else np.zeros((0, len(CUE_NAMES)), dtype=np.float32)
    )
    return [norm for norm, _ in found], matrix


_REMEMBERED: dict[str, tuple[str, np.ndarray]] = {}
# Memory per scoring process: about 400 bytes a remembered text, 500 a word type.
_REMEMBER_AT_MOST = 100_000
_VOCAB_AT_MOST = 200_000


def _analyse(
    texts: Iterable[str], nlp: Language, batch_size: int
) -> tuple[list[str], np.ndarray]:
    """:func:`analyse` without the memory of earlier texts."""
    if "reread_cues" not in nlp.pipe_names:
        raise ClassifierError(
            "the spaCy pipeline has no 'reread_cues' component; build it with "
            "classifier.nlp.build_nlp()"
        )
    words = _NormWords(nlp.vocab.strings)
    norms: list[str] = []
    rows: list[int] = []
    cols: list[int] = []
    vals: list[int] = []
    index = _CUE_INDEX
    for i, (norm_ids, counts) in enumerate(_cue_counts(texts, nlp, batch_size)):
        norms.append(" ".join(filter(None, map(words.__getitem__, norm_ids))))
        for cue, count in counts.items():
            rows.append(i)
            cols.append(index[cue])
            vals.append(count)
    cues = np.zeros((len(norms), len(CUE_NAMES)), dtype=np.float32)
    cues[rows, cols] = vals
    return norms, cues


def _cue_counts(
    texts: Iterable[str], nlp: Language, batch_size: int
) -> Iterator[tuple[list[int], dict[str, int]]]:
    """Each text's token ``NORM`` ids and cue counts.

    With nothing in the pipeline but ``reread_cues``, the component is called
    directly, on the token arrays read once: setting the ``Doc._`` extensions that
    nobody here reads cost a fifth of the time.
    """
    if nlp.pipe_names == ["reread_cues"]:
        component: Any = nlp.get_pipe("reread_cues")
        find = component._find
        for doc in map(nlp.make_doc, texts):
            if len(doc) == 0:
                yield [], {}
                continue
            arrays = doc.to_array(_ARRAY_ATTRS).T.tolist()
            yield arrays[1], find(doc, arrays)[0]
    else:
        for doc in nlp.pipe(texts, batch_size=batch_size):
            yield doc.to_array(NORM).tolist(), doc._.reread_cues or {}


def tag_strings(
    texts: Iterable[str], nlp: Language, batch_size: int = 1000
) -> list[str]:
    """Per text, the coarse part-of-speech tags a trained pipeline gives its tokens.

    Only useful with a pipeline from ``build_nlp(spacy_model=...)`` that has a tagger
    or an attribute ruler; ``spacy.blank`` sets no tags, so every string is empty.

    Examples
    --------
    >>> tag_strings(["hi there"], build_nlp())
    ['']
    """
    _check_texts(texts)
    return [
        " ".join(token.pos_ for token in doc if token.pos_)
        for doc in nlp.pipe(texts, batch_size=batch_size)
    ]


def explain(text: str, nlp: Language | None = None) -> list[tuple[str, str]]:
    """List the cues found in one text with the words that show each.

    Parameters
    ----------
    text : str
        One message.
    nlp : Language, optional
        A pipeline from :func:`build_nlp`; by default the cached one.

    Returns
    -------
    list of (str, str)
        ``(cue name, matched words)`` in text order.

    Examples
    --------
    >>> explain("calm down lol")
    [('minimiser', 'calm down'), ('laughter', 'lol'), ('softener', 'lol')]
    """
    nlp = _default_nlp() if nlp is None else nlp
    doc = next(iter(nlp.pipe([text])))
    spans = doc._.reread_cue_spans or []
    return [(cue, doc.text[start:end]) for cue, start, end in spans]
