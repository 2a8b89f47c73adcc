"""Lead photos for the demo stories, drawn rather than shipped: a gradient between two colours
with a motif over it, the same picture for the same design every time.

A seed story describes its photo as `{"alt": …, "palette": ["#1f3a5f", "#c9d6df"],
"motif": "skyline"}`; check_photo() says what is wrong with such a description, photo_stem()
names the file after the design and draw_photo() makes the JPEG.
"""

import hashlib
import io
import json
import math
import random

from PIL import Image, ImageColor, ImageDraw

PHOTO_SIZE = (1600, 900)


def check_photo(spec):
    """Everything wrong with a photo description, as messages."""
    if not isinstance(spec, dict):
        return ["photo must be an object with alt, palette and motif"]
    problems = []
    if spec.get("motif") not in MOTIFS:
        problems.append(f"photo motif must be one of {', '.join(MOTIFS)}")
    if not spec.get("alt"):
        problems.append("photo needs alt text")
    palette = spec.get("palette")
    try:
        if not isinstance(palette, list) or len(palette) != 2:
            raise ValueError
        for colour in palette:
            ImageColor.getrgb(colour)
    except ValueError:
        problems.append("photo palette must be two colours such as “#1f3a5f”")
    return problems


def photo_stem(slug, spec):
    """A file name that changes when, and only when, the photo's design changes."""
    design = json.dumps([spec["palette"], spec["motif"]]).encode()
    return f"demo-{slug[:40]}-{hashlib.sha256(design).hexdigest()[:8]}"


def mix(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def draw_photo(spec, seed):
    """A JPEG: a vertical gradient between the palette's colours with the motif drawn over it."""
    top, bottom = (ImageColor.getrgb(colour) for colour in spec["palette"])
    width, height = PHOTO_SIZE
    column = Image.new("RGB", (1, height))
    column.putdata([mix(top, bottom, y / (height - 1)) for y in range(height)])
    canvas = column.resize(PHOTO_SIZE).convert("RGBA")
    overlay = Image.new("RGBA", PHOTO_SIZE, (0, 0, 0, 0))
    dark, light = mix(top, (0, 0, 0), 0.55), mix(bottom, (255, 255, 255), 0.45)
    rng = random.Random(seed)
    MOTIFS[spec["motif"]](ImageDraw.Draw(overlay), rng, dark, light)
    output = io.BytesIO()
    Image.alpha_composite(canvas, overlay).convert("RGB").save(output, "JPEG", quality=88)
    return output.getvalue()


# The motifs ---------------------------------------------------------------------------------


def draw_skyline(draw, rng, dark, light):
    width, height = PHOTO_SIZE
    for layer, (alpha, tallest) in enumerate([(110, 640), (235, 460)]):
        x = -rng.randint(0, 60)
        while x < width:
            w, h = rng.randint(60, 170), rng.randint(140, tallest)
            colour = mix(dark, light, 0.35) if layer == 0 else dark
            draw.rectangle([x, height - h, x + w, height], fill=(*colour, alpha))
            if layer:  # lit windows on the front row
                for wy in range(height - h + 20, height - 30, 34):
                    for wx in range(x + 12, x + w - 18, 26):
                        if rng.random() < 0.3:
                            draw.rectangle([wx, wy, wx + 10, wy + 14], fill=(*light, 170))
            x += w + rng.randint(4, 30)


def draw_waves(draw, rng, dark, light):
    width, height = PHOTO_SIZE
    for i in range(9):
        base = height * 0.42 + i * 58
        amplitude, phase = rng.randint(8, 36), rng.uniform(0, math.tau)
        frequency = rng.uniform(1.5, 4.0) * math.tau / width
        points = [(x, base + amplitude * math.sin(frequency * x + phase))
                  for x in range(0, width + 20, 16)]
        draw.line(points, fill=(*mix(light, dark, i / 10), 80 + i * 18), width=5 + i)


def draw_hills(draw, rng, dark, light):
    width, height = PHOTO_SIZE
    sun = rng.randint(200, width - 200), rng.randint(120, 260)
    draw.ellipse([sun[0] - 90, sun[1] - 90, sun[0] + 90, sun[1] + 90], fill=(*light, 150))
    for layer in range(4):
        base = height * (0.45 + 0.13 * layer)
        waves = [(rng.uniform(40, 90), rng.uniform(0.6, 2.2), rng.uniform(0, math.tau))
                 for _ in range(2)]
        ridge = [(x, base - sum(a * math.sin(f * math.tau * x / width + p) for a, f, p in waves))
                 for x in range(0, width + 20, 20)]
        colour = mix(light, dark, 0.4 + 0.2 * layer)
        draw.polygon(ridge + [(width, height), (0, height)], fill=(*colour, 200 + layer * 15))


def draw_grid(draw, rng, dark, light):
    width, height = PHOTO_SIZE
    step = rng.choice([60, 75, 90])
    for x in range(0, width, step):
        for y in range(0, height, step):
            if rng.random() < 0.12:
                draw.rectangle([x, y, x + step, y + step], fill=(*light, rng.randint(40, 110)))
    for x in range(0, width + 1, step):
        draw.line([(x, 0), (x, height)], fill=(*dark, 120), width=3)
    for y in range(0, height + 1, step):
        draw.line([(0, y), (width, y)], fill=(*dark, 120), width=3)


def draw_circles(draw, rng, dark, light):
    width, height = PHOTO_SIZE
    for _ in range(16):
        cx, cy, r = rng.randint(0, width), rng.randint(0, height), rng.randint(40, 260)
        box = [cx - r, cy - r, cx + r, cy + r]
        if rng.random() < 0.5:
            draw.ellipse(box, fill=(*light, rng.randint(40, 110)))
        else:
            draw.ellipse(box, outline=(*mix(light, dark, 0.3), 170), width=rng.randint(3, 10))


MOTIFS = {
    "skyline": draw_skyline,
    "waves": draw_waves,
    "hills": draw_hills,
    "grid": draw_grid,
    "circles": draw_circles,
}
