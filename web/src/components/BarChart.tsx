/**
 * A small bar chart in SVG: one bar per bucket, the largest value and the time span labelled.
 * A `null` value is a bucket without data. For a gauge (`zeroIsData`, e.g. a queue depth) a
 * sampled 0 is data too: it is drawn as a flat tick, and the chart is empty only without any
 * sample.
 */
export type Point = { at: string; value: number | null };

export function BarChart({
  title,
  points,
  unit,
  tone = "accent",
  timeLabel,
  zeroIsData = false,
  empty = "Nothing in this period.",
}: {
  title: string;
  points: Point[];
  unit: string;
  tone?: "accent" | "bad" | "ok";
  timeLabel: (at: string) => string;
  zeroIsData?: boolean;
  empty?: string;
}) {
  const width = 600;
  const height = 120;
  const values = points.map((p) => p.value ?? 0);
  const max = Math.max(0, ...values);
  const total = values.reduce((a, b) => a + b, 0);
  const nothing = zeroIsData ? points.every((p) => p.value === null) : total === 0;
  const bar = points.length ? width / points.length : width;
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>
        <strong>{title}</strong>{" "}
        <span className="muted">
          peak {formatValue(max)} {unit}
        </span>
      </figcaption>
      {nothing ? (
        <div className="state empty">{empty}</div>
      ) : (
        <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={`${title}: peak ${formatValue(max)} ${unit}`}>
          <line x1={0} y1={height - 0.5} x2={width} y2={height - 0.5} className="axis" />
          {points.map((p, i) => {
            const v = p.value ?? 0;
            if (p.value === null || (v <= 0 && !zeroIsData)) return null;
            const h = v <= 0 ? 1 : Math.max(2, (v / max) * (height - 4));
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
