"""A Hypothesis strategy for the import tests: a real text damaged as extraction damages text."""
from hypothesis import strategies as st

ACTIONS = ["delete", "duplicate", "split", "join", "insert", "swap"]


def damaged(texts: list[str], inserted: str, joiner: str = "", max_inserted: int = 12):
    """One of `texts` with 1–6 lines deleted, duplicated, split, joined (with `joiner`), swapped, or
    with a line of characters from `inserted` put in."""
    @st.composite
    def strategy(draw):
        lines = draw(st.sampled_from(texts)).splitlines()
        for _ in range(draw(st.integers(1, 6))):
            if not lines:
                break
            i = draw(st.integers(0, len(lines) - 1))
            action = draw(st.sampled_from(ACTIONS))
            if action == "delete":
                del lines[i]
            elif action == "duplicate":
                lines.insert(i, lines[i])
            elif action == "split" and lines[i]:
                at = draw(st.integers(0, len(lines[i])))
                lines[i:i + 1] = [lines[i][:at], lines[i][at:]]
            elif action == "join" and i + 1 < len(lines):
                lines[i:i + 2] = [lines[i] + joiner + lines[i + 1]]
            elif action == "insert":
                lines.insert(i, draw(st.text(st.sampled_from(list(inserted)), max_size=max_inserted)))
            elif action == "swap":
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines)
    return strategy()
