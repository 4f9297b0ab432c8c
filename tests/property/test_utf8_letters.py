"""read.has_utf8_letters (the quick pass before the mixed-encoding search) answers as the
plain search does, for any bytes and any chunk size."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ankunftsindex.read import _UTF8_LETTER as PLAIN
from ankunftsindex.read import has_utf8_letters

# bytes around the interesting ranges: ASCII, continuation bytes, 2-, 3- and 4-byte leads
interesting = st.sampled_from([0x41, 0x0A, 0x3B, 0x80, 0xA4, 0xBF, 0xC2, 0xC3, 0xDB, 0xDC,
                               0xDF, 0xE0, 0xE4, 0xED, 0xF0, 0xF4, 0xFC, 0xFF])
data = st.one_of(st.binary(max_size=64),
                 st.lists(interesting, max_size=64).map(bytes))


@settings(max_examples=400, deadline=None)
@given(data, st.integers(1, 9))
def test_as_the_plain_search(body: bytes, chunk: int) -> None:
    assert has_utf8_letters(body, chunk) == (PLAIN.search(body) is not None)


def test_cp1252_and_mixed_text() -> None:
    cp1252 = "Gemünde;Straße;Äußere Neustadt;€ 5\n".encode("cp1252") * 1000
    assert not has_utf8_letters(cp1252, 4096)
    mixed = cp1252 + "Gemünde\n".encode("utf-8")
    assert has_utf8_letters(mixed, 4096)
    # valid UTF-8 outside the two-byte letters (a euro sign) is not a letter
    assert not has_utf8_letters(cp1252 + "€".encode("utf-8"), 4096)
