package io.asyncsql.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A hand-written SVG line chart: each contender's throughput as a ratio to the ceiling
 * against the operations in flight, one panel per workload. Levels sit at equal
 * distances, which for 1, 16, 64, 256, 1024 is close to a logarithmic axis.
 */
final class SvgChart {

	private static final String[] COLOURS = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
			"#e377c2", "#17becf" };

	private static final int PANEL_WIDTH = 340;

	private static final int PANEL_HEIGHT = 260;

	private static final int LEFT = 50;

	private static final int RIGHT = 15;

	private static final int TOP = 40;

	private static final int BOTTOM = 45;

	private static final int LEGEND_HEIGHT = 40;

	private final StringBuilder svg = new StringBuilder();

	private final Results results;

	private final List<String> series;

	private final double maxRatio;

	private SvgChart(Results results) {
		this.results = results;
		this.series = results.contenders().stream().filter((name) -> !name.equals(Results.CEILING)).toList();
		double max = 1.2;
		for (Workload workload : results.workloads()) {
			for (int level : results.levels()) {
				for (String contender : this.series) {
					Results.Summary cell = results.summary(workload, level, contender);
					if (cell != null && !Double.isNaN(cell.ratioToCeiling())) {
						max = Math.max(max, cell.ratioToCeiling());
					}
				}
			}
		}
		this.maxRatio = Math.ceil(max * 5) / 5;
	}

	static String render(Results results) {
		SvgChart chart = new SvgChart(results);
		int width = results.workloads().size() * PANEL_WIDTH;
		int height = PANEL_HEIGHT + LEGEND_HEIGHT;
		chart.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
				+ "font-family=\"sans-serif\" font-size=\"11\">", width, height, width, height);
		chart.append("<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>");
		for (int i = 0; i < results.workloads().size(); i++) {
			chart.panel(results.workloads().get(i), i * PANEL_WIDTH);
		}
		chart.legend(PANEL_HEIGHT + 15);
		chart.append("</svg>");
		return chart.svg.toString();
	}

	private void panel(Workload workload, int offset) {
		int plotWidth = PANEL_WIDTH - LEFT - RIGHT;
		int plotHeight = PANEL_HEIGHT - TOP - BOTTOM;
		append("<g transform=\"translate(%d,0)\">", offset);
		append("<text x=\"%d\" y=\"20\" font-size=\"13\" font-weight=\"bold\">%s: ops/s ÷ ceiling</text>", LEFT,
				workload.label());
		for (double tick = 0; tick <= this.maxRatio + 1e-9; tick += 0.2) {
			double y = y(tick);
			append("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>", LEFT, y, LEFT + plotWidth, y,
					(Math.abs(tick - 1) < 1e-9) ? "#555" : "#e5e5e5");
			append("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>", LEFT - 5, y + 4, tick);
		}
		append("<text x=\"%d\" y=\"%.1f\" fill=\"#555\">ceiling</text>", LEFT + plotWidth - 40, y(1) - 4);
		List<Integer> levels = this.results.levels();
		for (int i = 0; i < levels.size(); i++) {
			append("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>", x(i), TOP + plotHeight + 15,
					levels.get(i));
		}
		append("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">operations in flight</text>", LEFT + plotWidth / 2,
				TOP + plotHeight + 32);
		append("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>", LEFT, TOP,
				plotWidth, plotHeight);
		for (int s = 0; s < this.series.size(); s++) {
			line(workload, this.series.get(s), COLOURS[s % COLOURS.length]);
		}
		append("</g>");
	}

	private void line(Workload workload, String contender, String colour) {
		List<String> points = new ArrayList<>();
		List<Integer> levels = this.results.levels();
		for (int i = 0; i < levels.size(); i++) {
			Results.Summary cell = this.results.summary(workload, levels.get(i), contender);
			if (cell != null && !Double.isNaN(cell.ratioToCeiling())) {
				points.add(String.format(Locale.ROOT, "%.1f,%.1f", x(i), y(cell.ratioToCeiling())));
			}
		}
		if (points.isEmpty()) {
			return;
		}
		append("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>", colour,
				String.join(" ", points));
		for (String point : points) {
			String[] xy = point.split(",");
			append("<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\"><title>%s</title></circle>", xy[0], xy[1], colour,
					contender);
		}
	}

	private void legend(int y) {
		int x = LEFT;
		for (int s = 0; s < this.series.size(); s++) {
			String colour = COLOURS[s % COLOURS.length];
			append("<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"4\" fill=\"%s\"/>", x, y + 4, colour);
			append("<text x=\"%d\" y=\"%d\">%s</text>", x + 18, y + 10, this.series.get(s));
			x += 40 + this.series.get(s).length() * 7;
		}
	}

	private double x(int index) {
		int plotWidth = PANEL_WIDTH - LEFT - RIGHT;
		int count = this.results.levels().size();
		return LEFT + ((count == 1) ? plotWidth / 2.0 : 15 + index * (plotWidth - 30.0) / (count - 1));
	}

	private double y(double ratio) {
		int plotHeight = PANEL_HEIGHT - TOP - BOTTOM;
		return TOP + plotHeight * (1 - ratio / this.maxRatio);
	}

	private void append(String format, Object... args) {
		this.svg.append(String.format(Locale.ROOT, format, args)).append('\n');
	}

}
