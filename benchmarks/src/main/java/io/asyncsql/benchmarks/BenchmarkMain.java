package io.asyncsql.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.Random;

import com.zaxxer.hikari.HikariDataSource;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Runs the whole benchmark: every contender on every workload and level, interleaved, for
 * a number of rounds, then the burst, streaming and the engine overhead, and writes
 * {@code RESULTS.md}, {@code cells.csv} and {@code throughput.svg}.
 * <p>
 * The JDBC-based contenders (ceiling, async-sql, do-it-yourself) take turns on one
 * HikariCP pool of ten: they never run at the same time, and PostgreSQL's default of 100
 * connections leaves room for R2DBC's and Vert.x's own pools of ten.
 *
 * @since 0.1.0
 */
public final class BenchmarkMain {

	/** Warm-up passes after which the run starts even if the JIT is still busy. */
	private static final int MAX_WARMUP_PASSES = 8;

	/**
	 * The share of a warm-up pass the JIT may spend compiling for the JVM to count as
	 * warm.
	 */
	private static final double QUIET_JIT_SHARE = 0.02;

	private static final int WARMUP_LEVEL = 16;

	private static final int WARMUP_BURST = 2_000;

	private static final int WARMUP_STREAMED_ROWS = 100_000;

	private final Settings settings;

	private final Results results;

	private final List<Contender> contenders;

	private final HikariDataSource jdbcPool;

	private BenchmarkMain(Settings settings, HikariDataSource jdbcPool, List<Contender> contenders) {
		this.settings = settings;
		this.jdbcPool = jdbcPool;
		this.contenders = contenders;
		this.results = new Results(contenders.stream().map(Contender::name).toList(), settings.levels(),
				settings.workloads());
	}

	/**
	 * Run the benchmark; see {@link Settings#USAGE} for the arguments.
	 * @param args the command-line arguments
	 */
	public static void main(String[] args) {
		System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
				System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
		if (BulkLoadBenchmark.isCommand(args)) {
			BulkLoadBenchmark.main(BulkLoadBenchmark.rest(args));
			System.exit(0);
			return;
		}
		Settings settings;
		try {
			settings = Settings.parse(args);
			Database.checkReachable(settings);
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			System.err.println(ex.getMessage());
			System.exit(2);
			return;
		}
		HikariDataSource jdbcPool = Database.pool("bench-jdbc", settings.url(), settings.user(), settings.password(),
				Database.POOL_SIZE);
		List<String> skipped = new ArrayList<>();
		List<Contender> contenders = createContenders(settings, jdbcPool, skipped);
		try {
			BenchmarkMain benchmark = new BenchmarkMain(settings, jdbcPool, contenders);
			skipped.forEach(benchmark.results::note);
			benchmark.run();
		}
		finally {
			contenders.forEach(Contender::close);
			jdbcPool.close();
		}
		// Libraries may leave non-daemon threads behind; the run is over either way.
		System.exit(0);
	}

	private static List<Contender> createContenders(Settings settings, HikariDataSource pool, List<String> skipped) {
		ContenderKind.Setup setup = new ContenderKind.Setup(settings, pool, new JdbcTemplate(pool),
				Math.max(settings.burstSize(), 10_000));
		boolean virtual = VirtualThreadSupport.isAvailable();
		if (!virtual) {
			String note = "Java " + Runtime.version().feature()
					+ " has no virtual threads: the virtual-thread contenders were skipped (run on Java 21+)";
			System.err.println(note);
			skipped.add(note);
		}
		List<Contender> contenders = new ArrayList<>();
		for (ContenderKind kind : ContenderKind.values()) {
			if ((virtual || !kind.needsVirtualThreads()) && settings.includes(kind.label())) {
				contenders.add(kind.create(setup));
			}
		}
		return contenders;
	}

	private void run() {
		Database.prepare(this.jdbcPool);
		Environment environment = Environment.capture(Database.version(this.jdbcPool));
		Pgbench pgbench = Pgbench.findOnPath(this.settings);
		if (pgbench == null) {
			this.results.note("pgbench is not on the PATH: no C-client reference figure");
		}
		progress("async-sql benchmark: %s; %s", environment.machine(), environment.jdk());
		try (Overhead overhead = new Overhead(); Streaming streaming = new Streaming(this.jdbcPool)) {
			warmUp(pgbench, overhead, streaming);
			for (int round = 1; round <= this.settings.rounds(); round++) {
				progress("round %d of %d", round, this.settings.rounds());
				run(Pass.round(round, this.settings), pgbench, overhead, streaming);
			}
		}
		write(environment);
	}

	/**
	 * Run passes that are not recorded until the JIT is quiet, so that the pools,
	 * PostgreSQL's plan caches and the compiled code are warm before the first cell. On
	 * two shared cores the compilers need a few minutes of this load, and a cell measured
	 * meanwhile pays for their CPU (seen: half the ops/s in the first minute). A warm-up
	 * pass runs every part of a round because each changes what is compiled: starting
	 * pgbench loads classes that invalidate compiled stream code, and the overhead's H2
	 * calls make JdbcTemplate's call sites see a second driver.
	 */
	private void warmUp(Pgbench pgbench, Overhead overhead, Streaming streaming) {
		Pass warmUp = Pass.warmUp(this.settings);
		int maxPasses = this.settings.quick() ? 1 : MAX_WARMUP_PASSES;
		progress("warming up: every part of a round, %d ms per cell, until the JIT is quiet (at most %d pass%s)",
				warmUp.measure().toMillis(), maxPasses, (maxPasses == 1) ? "" : "es");
		long started = System.nanoTime();
		int pass = 0;
		boolean quiet = false;
		while (!quiet && pass < maxPasses) {
			pass++;
			long jitBefore = Jvm.jitMillis();
			long passStarted = System.nanoTime();
			run(warmUp, pgbench, overhead, streaming);
			long jitMillis = Jvm.jitMillis() - jitBefore;
			long passMillis = (System.nanoTime() - passStarted) / 1_000_000;
			quiet = jitBefore >= 0 && jitMillis <= passMillis * QUIET_JIT_SHARE;
			progress("  warm-up pass %d: the JIT compiled for %d ms of %d ms", pass, jitMillis, passMillis);
		}
		this.results.note(String.format(Locale.ROOT, "Warm-up: %d pass(es) of every part of a round, %.0f s, %s", pass,
				(System.nanoTime() - started) / 1e9,
				quiet ? "until the JIT compiled for at most " + Math.round(QUIET_JIT_SHARE * 100) + "% of a pass"
						: (Jvm.jitMillis() < 0) ? "as many as allowed: this JVM does not report compilation time"
								: "stopped before the JIT was quiet (see jit_ms in cells.csv)"));
	}

	/**
	 * Run every part of a round: the closed loops, the bursts, streaming and the engine
	 * overhead; record them unless this is a warm-up pass.
	 */
	private void run(Pass pass, Pgbench pgbench, Overhead overhead, Streaming streaming) {
		closedLoops(pass, pgbench);
		bursts(pass);
		Streaming.Result streamed = streaming.measure(pass.streamedRows());
		List<Overhead.Result> overheadResult = overhead.measure(pass.warmup(), pass.measure());
		if (pass.recorded()) {
			progress("  streaming %d rows: JdbcTemplate.query %s rows/s, async-sql stream %s rows/s",
					pass.streamedRows(), MarkdownReport.number(streamed.blockingRowsPerSecond()),
					MarkdownReport.number(streamed.streamedRowsPerSecond()));
			this.results.addStreaming(streamed);
			this.results.addOverhead(overheadResult);
		}
	}

	private void closedLoops(Pass pass, Pgbench pgbench) {
		int cellIndex = 0;
		for (Workload workload : this.settings.workloads()) {
			if (pgbench != null) {
				truncateBeforeInserts(workload);
				OptionalDouble tps = pgbench.run(workload, pass.measure());
				if (pass.recorded()) {
					tps.ifPresent((value) -> this.results.addPgbench(workload, value));
					progress("  %-12s pgbench                %10s tps", workload.label(),
							tps.isPresent() ? MarkdownReport.number(tps.getAsDouble()) : "failed");
				}
			}
			for (int level : pass.levels()) {
				for (Contender contender : shuffled(pass.round() * 1000L + cellIndex++)) {
					truncateBeforeInserts(workload);
					Measurement m = ClosedLoop.of(contender, workload, level, this.settings.submitFrom())
						.run(pass.warmup(), pass.measure());
					if (pass.recorded()) {
						this.results.add(new Results.Cell(pass.round(), workload, level, contender.name(), m));
						progress(
								"  %-12s %5d  %-18s %10s ops/s  p50 %8.2f ms  p99 %8.2f ms  cpu %6.2f µs/op  gc %4d ms  %7.1f KiB/op  jit %4d ms  threads %4d  failures %d",
								workload.label(), level, contender.name(), MarkdownReport.number(m.opsPerSecond()),
								m.p50Millis(), m.p99Millis(), m.cpuMicrosPerOp(), m.gcMillis(),
								m.allocatedBytesPerOp() / 1024, m.jitMillis(), m.peakThreads(), m.failures());
					}
				}
			}
		}
	}

	private void bursts(Pass pass) {
		for (Contender contender : shuffled(-pass.round())) {
			Burst.Result burst = Burst.run(contender, pass.burstSize());
			if (pass.recorded()) {
				this.results.add(new Results.BurstCell(pass.round(), contender.name(), burst));
				progress("  burst %,d  %-18s %6.2f s  ok %d  failed %d  rejected %d  unfinished %d  threads %d",
						pass.burstSize(), contender.name(), burst.seconds(), burst.succeeded(), burst.failed(),
						burst.rejected(), burst.unfinished(), burst.peakThreads());
			}
		}
	}

	private void truncateBeforeInserts(Workload workload) {
		if (workload == Workload.INSERT) {
			Database.truncateInserts(this.jdbcPool);
		}
	}

	/**
	 * Return the contenders in an order of their own for each cell (the same from run to
	 * run), so that none always runs right after the same one and inherits its garbage.
	 */
	private List<Contender> shuffled(long seed) {
		List<Contender> order = new ArrayList<>(this.contenders);
		Collections.shuffle(order, new Random(seed));
		return order;
	}

	/**
	 * What one pass over every part of a round runs.
	 *
	 * @param round the round's number, or 0 for a warm-up pass, which is not recorded
	 * @param levels the operations in flight of the closed loops
	 * @param warmup the unmeasured start of each cell
	 * @param measure the measured time of each cell
	 * @param burstSize the operations submitted at once in the burst
	 * @param streamedRows the rows streamed
	 */
	private record Pass(int round, List<Integer> levels, Duration warmup, Duration measure, int burstSize,
			int streamedRows) {

		/**
		 * A warm-up pass: shorter cells at one level and a small burst, unmeasured.
		 */
		static Pass warmUp(Settings settings) {
			return new Pass(0, List.of(WARMUP_LEVEL), Duration.ZERO,
					settings.quick() ? Duration.ofMillis(300) : Duration.ofMillis(1500), WARMUP_BURST,
					WARMUP_STREAMED_ROWS);
		}

		static Pass round(int round, Settings settings) {
			return new Pass(round, settings.levels(), settings.warmup(), settings.measure(), settings.burstSize(),
					settings.quick() ? 100_000 : 1_000_000);
		}

		boolean recorded() {
			return this.round > 0;
		}

	}

	private void write(Environment environment) {
		String markdown = MarkdownReport.render(this.settings, environment, this.results);
		System.out.println(markdown);
		Path output = this.settings.output();
		try {
			Files.createDirectories(output);
			Files.writeString(output.resolve("RESULTS.md"), markdown, StandardCharsets.UTF_8);
			Files.writeString(output.resolve("cells.csv"), CsvReport.render(this.results), StandardCharsets.UTF_8);
			Files.writeString(output.resolve("throughput.svg"), SvgChart.render(this.results), StandardCharsets.UTF_8);
			progress("wrote %s, %s and %s", output.resolve("RESULTS.md"), output.resolve("cells.csv"),
					output.resolve("throughput.svg"));
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not write the results to " + output.toAbsolutePath(), ex);
		}
	}

	private static void progress(String format, Object... args) {
		System.err.println(String.format(Locale.ROOT, format, args));
	}

}
