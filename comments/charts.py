"""Charts drawn on the server as inline SVG: no script, nothing fetched, fine under the CSP
(colours are presentation attributes, not style)."""

from django.utils.html import format_html, format_html_join

STATUS_COLOURS = {
    "approved": "#2e7d32",
    "pending": "#f2a900",
    "rejected": "#8a8d96",
    "spam": "#c62828",
}


def _nice_ceiling(value):
    """A round number at least `value`, for the top of the scale."""
    if value <= 5:
        return 5
    for step in (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if value <= step:
            return step
    magnitude = 10 ** (len(str(int(value))) - 1)
    return -(-value // magnitude) * magnitude


def stacked_bar_chart(days, series, colours, width=760, height=280):
    """One bar per day, stacked by series. `series` is [(key, label, [value per day])]."""
    left, right, top, bottom = 44, 12, 16, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for _, _, values in series) for i in range(len(days))]
    ceiling = _nice_ceiling(max(totals, default=0))
    slot = plot_w / max(len(days), 1)
    bar = max(slot * 0.72, 1)

    def y(value):
        return top + plot_h - plot_h * value / ceiling

    parts = []
    for step in range(5):  # grid lines and the scale
        value = ceiling * step / 4
        parts.append(format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#d9dae0" stroke-width="1"/>'
            '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="#5b5d66">{}</text>',
            left, left + plot_w, f"{y(value):.1f}", f"{y(value):.1f}",
            left - 6, f"{y(value) + 4:.1f}", f"{value:g}",
        ))
    for index, day in enumerate(days):
        x = left + index * slot + (slot - bar) / 2
        base = 0
        for key, label, values in series:
            count = values[index]
            if not count:
                continue
            parts.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                "<title>{}: {} {}</title></rect>",
                f"{x:.1f}", f"{y(base + count):.1f}", f"{bar:.1f}",
                f"{y(base) - y(base + count):.1f}", colours[key],
                day.strftime("%-d %b"), count, label.lower(),
            ))
            base += count
        if index % 5 == 0 or index == len(days) - 1:
            parts.append(format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#5b5d66">{}</text>',
                f"{x + bar / 2:.1f}", top + plot_h + 16, day.strftime("%-d %b"),
            ))
    parts.append(format_html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#1b1b1f" stroke-width="1"/>',
        left, left + plot_w, top + plot_h, top + plot_h,
    ))
    legend_x = left
    for key, label, values in series:
        parts.append(format_html(
            '<rect x="{}" y="{}" width="12" height="12" fill="{}"/>'
            '<text x="{}" y="{}" font-size="12" fill="#1b1b1f">{} ({})</text>',
            legend_x, height - 20, colours[key], legend_x + 17, height - 10, label, sum(values),
        ))
        legend_x += 30 + 9 * len(label) + 8 * len(str(sum(values)))
    described = ", ".join(f"{sum(values)} {label.lower()}" for _, label, values in series)
    return format_html(
        '<svg class="comments-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'width="{}" height="{}" role="img" aria-labelledby="chart-title chart-desc">'
        '<title id="chart-title">Comments per day by outcome</title>'
        '<desc id="chart-desc">Over {} days: {}.</desc>{}</svg>',
        width, height, width, height, len(days), described,
        format_html_join("", "{}", ((part,) for part in parts)),
    )
