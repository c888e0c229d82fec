"""Amounts of money as Vietnamese documents write them. Pure module, no Django.

`vnd(58000)` → ``58.000 đồng``; `in_words(1005000)` → ``Một triệu không trăm lẻ năm nghìn đồng``, the
way receipts spell out the amount (“Số tiền bằng chữ”): groups of three digits read in full after the
first (“không trăm”, “lẻ”), empty groups left out, “mốt” and “lăm” after the tens.
"""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
SCALES = ("", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ")
MAX_AMOUNT = 10**18 - 1


def vnd(amount: int) -> str:
    """Thousands separated by dots, as Vietnamese writes them."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def _group(value: int, *, leading: bool) -> list[str]:
    """The words of a group of three digits; `leading` groups drop their empty hundreds."""
    hundreds, rest = divmod(value, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or not leading:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("lẻ")
            words.append(DIGITS[units])
        return words
    words += ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def in_words(amount: int) -> str:
    """The amount in words with a capital first letter and “đồng”."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= MAX_AMOUNT:
        raise ValueError(f"not an amount of VND: {amount!r}")
    if amount == 0:
        return "Không đồng"
    groups = []
    while amount:
        amount, group = divmod(amount, 1000)
        groups.append(group)
    words: list[str] = []
    top = len(groups) - 1
    for index in range(top, -1, -1):
        if groups[index] == 0:
            continue
        words += _group(groups[index], leading=index == top)
        if SCALES[index]:
            words.append(SCALES[index])
    text = " ".join(words)
    return text[0].upper() + text[1:] + " đồng"
