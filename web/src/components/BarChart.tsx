/** A small bar chart in SVG: one bar per bucket, the largest value and the time span labelled. */
export type Point = { at: string; value: number | null };

export function BarChart({
  title,
  points,
  unit,
  tone = "accent",
  timeLabel,
}: {
  title: string;
  points: Point[];
  unit: string;
  tone?: "accent" | "bad" | "ok";
  timeLabel: (at: string) => string;
}) {
  const width = 600;
  const height = 120;
  const values = points.map((p) => p.value ?? 0);
  const max = Math.max(0, ...values);
  const total = values.reduce((a, b) => a + b, 0);
  const bar = points.length ? width / points.length : width;
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>
        <strong>{title}</strong>{" "}
        <span className="muted">
          peak {formatValue(max)} {unit}
        </span>
      </figcaption>
      {total === 0 ? (
        <div className="state empty">Nothing in this period.</div>
      ) : (
        <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={`${title}: peak ${formatValue(max)} ${unit}`}>
          <line x1={0} y1={height - 0.5} x2={width} y2={height - 0.5} className="axis" />
          {points.map((p, i) => {
            const v = p.value ?? 0;
            if (v <= 0) return null;
            const h = Math.max(2, (v / max) * (height - 4));
            return (
              <rect key={p.at} x={i * bar + bar * 0.1} y={height - h} width={Math.max(1, bar * 0.8)} height={h} className={`bar ${tone}`}>
                <title>
                  {timeLabel(p.at)}: {formatValue(v)} {unit}
                </title>
              </rect>
            );
          })}
        </svg>
      )}
      {points.length > 0 && (
        <div className="chart-span muted">
          <span>{timeLabel(points[0].at)}</span>
          <span>{timeLabel(points[points.length - 1].at)}</span>
        </div>
      )}
    </figure>
  );
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
