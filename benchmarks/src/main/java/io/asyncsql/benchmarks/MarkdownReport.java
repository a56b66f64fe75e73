package io.asyncsql.benchmarks;

import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * The results as Markdown: the run's environment, one closed-loop table per workload, the
 * burst, the engine overhead and notes on anything that failed.
 */
final class MarkdownReport {

	private final StringBuilder out = new StringBuilder();

	private final Settings settings;

	private final Results results;

	private MarkdownReport(Settings settings, Results results) {
		this.settings = settings;
		this.results = results;
	}

	static String render(Settings settings, Environment environment, Results results) {
		MarkdownReport report = new MarkdownReport(settings, results);
		report.header(environment);
		for (Workload workload : results.workloads()) {
			report.closedLoop(workload);
		}
		report.burst();
		report.streaming();
		report.overhead();
		report.notes();
		return report.out.toString();
	}

	private void header(Environment environment) {
		line("# async-sql benchmark results");
		line("");
		line("- started: " + environment.started());
		line("- machine: " + environment.machine());
		line("- JDK: " + environment.jdk());
		line("- PostgreSQL: " + environment.postgres());
		line("- command: `" + environment.command() + "`");
		line("- run: " + this.settings.rounds() + " round(s), levels " + this.settings.levels() + ", "
				+ this.settings.warmup().toMillis() + " ms warm-up + " + this.settings.measure().toMillis()
				+ " ms measured per cell, contenders interleaved within each cell, medians over rounds"
				+ (this.settings.quick() ? " (--quick smoke run: figures are indicative only)" : ""));
		line("- closed-loop clients submit their next operation "
				+ ((this.settings.submitFrom() == ClosedLoop.SubmitFrom.COMPLETING)
						? "from the completion callback, on the thread that completed the last one"
						: "from one other thread they hand it to")
				+ " (`--submit-from " + this.settings.submitFrom().name().toLowerCase(java.util.Locale.ROOT) + "`)");
		line("- every contender has " + Database.POOL_SIZE + " connections; ceiling = blocking JDBC on min(in flight, "
				+ Database.POOL_SIZE + ") platform threads");
		line("");
	}

	private void closedLoop(Workload workload) {
		line("## Closed loop: " + workload.label());
		line("");
		line("`" + workload.sql() + "`");
		line("");
		List<Double> pgbench = this.results.pgbench(workload);
		if (!pgbench.isEmpty()) {
			line("pgbench (C client, " + Database.POOL_SIZE + " connections, `"
					+ Pgbench.description(this.settings.measure()) + "`): " + number(Results.median(pgbench))
					+ " tps (median of " + pgbench.size() + ")");
			line("");
		}
		line("| in flight | contender | ops/s | × ceiling | p50 ms | p99 ms | p99 ÷ Little | p99 ÷ cohort | JVM CPU µs/op | GC pause ms | KiB/op | peak threads | failures |");
		line("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
		for (int level : this.results.levels()) {
			Results.Summary ceiling = this.results.summary(workload, level, Results.CEILING);
			double little = (ceiling != null && level > Database.POOL_SIZE) ? level / ceiling.opsPerSecond() * 1000
					: Double.NaN;
			for (String contender : this.results.contenders()) {
				Results.Summary cell = this.results.summary(workload, level, contender);
				// Only what queues has a hand-out order to judge.
				boolean queued = level > Database.POOL_SIZE && !contender.equals(Results.CEILING);
				if (cell != null) {
					line("| " + level + " | " + contender + " | " + number(cell.opsPerSecond()) + " | "
							+ ratio(cell.ratioToCeiling()) + " | " + decimal(cell.p50Millis()) + " | "
							+ decimal(cell.p99Millis()) + " | "
							+ ((queued && !Double.isNaN(little)) ? ratio(cell.p99ToLittle()) : "") + " | "
							+ (queued ? ratio(cell.p99ToCohort()) : "") + " | " + decimal(cell.cpuMicrosPerOp()) + " | "
							+ number(cell.gcPauseMillis()) + " | " + decimal(cell.allocatedKiBPerOp()) + " | "
							+ threads(cell.peakThreads(), cell.addedThreads()) + " | " + cell.failures()
							+ (cell.drained() ? "" : " (stuck)") + " |");
				}
			}
			if (!Double.isNaN(little)) {
				line("| " + level + " | *Little's-law p99 reference* | | | | " + decimal(little)
						+ " | 1.00× | | | | | | |");
			}
		}
		line("");
		line("× ceiling: median of per-round ratios of ops/s. Little's-law reference (above the pool size): "
				+ "in flight ÷ ceiling ops/s (the row shows it for the median ceiling; each ratio is the median of "
				+ "per-round ratios to that round's), the latency every operation would see if a pool-size-limited server "
				+ "served them in FIFO order; p99 far above it means unfair hand-out, or pauses that stall "
				+ "everything in flight, which p99 ÷ cohort tells apart (not shown for the ceiling, "
				+ "which never has more than " + Database.POOL_SIZE
				+ " in flight). p99 ÷ cohort (above the pool size): the 99th "
				+ "percentile of each operation's latency over the median latency of the operations that started "
				+ "in the same " + Cohorts.WINDOW_MILLIS + " ms; a pause that stalls everything in flight (a "
				+ "garbage collection, the database, a neighbour on the machine) raises the p99 of a long queue "
				+ "but not this, while unfair hand-out raises both. JVM CPU µs/op: CPU time of the "
				+ "whole benchmark JVM (JIT and GC included) per operation, the client side's cost, steadier than "
				+ "ops/s when other processes share the machine. GC pause ms: the JVM's collection pauses during the "
				+ "cell (median over rounds); all contenders share one JVM, so a collection lands on whichever cell "
				+ "runs when it is due. KiB/op: bytes the JVM's threads allocated per operation (virtual threads' "
				+ "count to their carriers). Peak threads: live platform threads of the whole "
				+ "JVM, every contender's idle pools included, and in brackets how many the cell added to those "
				+ "alive before it; virtual threads are not counted, their carriers are.");
		line("");
	}

	private void burst() {
		line("## Burst: " + number(this.settings.burstSize()) + " point selects submitted at once");
		line("");
		line("| contender | drain s | ops/s | × ceiling | succeeded | failed | rejected | unfinished | peak threads |");
		line("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
		for (String contender : this.results.contenders()) {
			List<Burst.Result> bursts = this.results.bursts(contender);
			if (bursts.isEmpty()) {
				continue;
			}
			line("| " + contender + " | " + decimal(Results.median(bursts, Burst.Result::seconds)) + " | "
					+ number(Results.median(bursts, Burst.Result::opsPerSecond)) + " | "
					+ ratio(this.results.burstRatio(contender)) + " | " + sum(bursts, Burst.Result::succeeded) + " | "
					+ sum(bursts, Burst.Result::failed) + " | " + sum(bursts, Burst.Result::rejected) + " | "
					+ sum(bursts, Burst.Result::unfinished) + " | "
					+ threads(Results.median(bursts, Burst.Result::peakThreads),
							Results.median(bursts, (burst) -> burst.peakThreads() - burst.idleThreads()))
					+ " |");
		}
		line("");
		line("Drain time and ops/s are medians over rounds; outcome counts are summed over rounds. The ceiling's "
				+ "burst is " + Database.POOL_SIZE + " threads draining a shared counter. async-sql's queue "
				+ "capacity is at least the burst size, so its burst measures draining, not rejection.");
		line("");
	}

	private void streaming() {
		List<Streaming.Result> rounds = this.results.streaming();
		if (rounds.isEmpty()) {
			return;
		}
		line("## Streaming: " + number(rounds.get(0).rows()) + " rows from PostgreSQL, fetch size "
				+ number(Streaming.FETCH_SIZE));
		line("");
		line("| JdbcTemplate.query rows/s | async-sql stream rows/s | stream ÷ query |");
		line("|---:|---:|---:|");
		line("| " + number(Results.median(rounds, Streaming.Result::blockingRowsPerSecond)) + " | "
				+ number(Results.median(rounds, Streaming.Result::streamedRowsPerSecond)) + " | "
				+ decimal(Results.median(rounds, Streaming.Result::ratio)) + "× |");
		line("");
		line("Medians over rounds. Both read `generate_series` rows mapped to objects, in a transaction so that "
				+ "PostgreSQL keeps a cursor; the stream's subscriber requests one fetch's worth of rows at a time.");
		line("");
	}

	private void overhead() {
		line("## Engine overhead: `SELECT 1` on H2 in memory");
		line("");
		line("| threads | direct µs/op | async-sql µs/op | overhead µs/op | target < 5 µs |");
		line("|---:|---:|---:|---:|---|");
		for (int threads : Overhead.THREADS) {
			List<Overhead.Result> rounds = this.results.overhead(threads);
			if (rounds.isEmpty()) {
				continue;
			}
			double overhead = Results.median(rounds, Overhead.Result::overheadMicros);
			line("| " + threads + " | " + decimal(Results.median(rounds, Overhead.Result::directMicros)) + " | "
					+ decimal(Results.median(rounds, Overhead.Result::asyncMicros)) + " | " + decimal(overhead) + " | "
					+ ((overhead < 5) ? "met" : "missed") + " |");
		}
		line("");
		line("µs/op = elapsed time ÷ operations (the inverse of throughput), medians over rounds; the overhead is the median of the per-round differences. One thread: the "
				+ "latency the hand-off adds to a lone operation. Ten threads (the pool size, on "
				+ Runtime.getRuntime().availableProcessors() + " cores): the time the engine adds to each operation "
				+ "when every permit is busy, which on a saturated machine is its CPU spread over the cores. Direct = the same number of platform threads calling JdbcTemplate.");
		line("");
	}

	private void notes() {
		if (this.results.notes().isEmpty()) {
			return;
		}
		line("## Notes");
		line("");
		for (String note : this.results.notes()) {
			line("- " + note);
		}
		line("");
	}

	private void line(String text) {
		this.out.append(text).append('\n');
	}

	private static <T> long sum(List<T> values, ToLongFunction<T> figure) {
		return values.stream().collect(Collectors.summingLong(figure));
	}

	private static String threads(double peak, double added) {
		return number(peak) + " (" + String.format(Locale.ROOT, "%+.0f", added) + ")";
	}

	static String number(double value) {
		return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%,.0f", value);
	}

	static String ratio(double value) {
		return Double.isNaN(value) || Double.isInfinite(value) ? "" : String.format(Locale.ROOT, "%.2f×", value);
	}

	/**
	 * Format milliseconds, seconds or microseconds alike: two decimals.
	 */
	static String decimal(double value) {
		return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.2f", value);
	}

}
