package io.asyncsql.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one run measures and where, from command-line arguments, falling back to system
 * properties ({@code -Dbench.url=...}) and then to the project's PostgreSQL on loopback.
 *
 * @param quick whether this is a smoke run: one short round over fewer levels
 * @param rounds how often the whole interleaved matrix runs
 * @param levels the operations in flight of each cell
 * @param workloads the workloads to run
 * @param contenders the names of the contenders to run, empty for all
 * @param warmup the unmeasured time at the start of each cell
 * @param measure the measured time of each cell
 * @param burstSize the operations submitted at once in the burst
 * @param submitFrom where closed-loop clients submit their next operation
 * @param url the PostgreSQL JDBC URL
 * @param user the database user
 * @param password the database password, empty for trust authentication
 * @param output the folder the results are written to
 */
record Settings(boolean quick, int rounds, List<Integer> levels, List<Workload> workloads, List<String> contenders,
		Duration warmup, Duration measure, int burstSize, ClosedLoop.SubmitFrom submitFrom, String url, String user,
		String password, Path output) {

	static final String USAGE = """
			Usage: java -jar benchmarks/target/async-sql-benchmarks.jar [options]
			  --quick            smoke run: 1 round, short cells, levels 1,16,256, a burst of 20,000
			  --rounds N         rounds of the interleaved matrix (default 5)
			  --levels 1,16,...  operations in flight (default 1,16,64,256,1024)
			  --workloads a,b    a subset of point-select,insert,range-1000 (default all)
			  --contenders a,b   a subset of the contenders (default all; ratios need ceiling):
			                     %s
			  --warmup-ms N      unmeasured start of each cell (default 500; quick 200)
			  --measure-ms N     measured part of each cell (default 2000; quick 500)
			  --burst N          point selects submitted at once (default 100000; quick 20000)
			  --submit-from W    where a closed-loop client submits its next operation: completing
			                     (its callback, on the thread that completed the last one; default)
			                     or executor (one other thread)
			  --url URL          PostgreSQL JDBC URL (default jdbc:postgresql://127.0.0.1:5432/test)
			  --user NAME        database user (default postgres)
			  --password SECRET  database password (default empty: trust authentication)
			  --output DIR       where RESULTS.md, cells.csv and throughput.svg go
			                     (default benchmarks/results; quick: benchmarks/results/quick)
			Each option also reads a system property: -Dbench.rounds=5, -Dbench.url=..., and so on.
			""".formatted(String.join(",", ContenderKind.labels()));

	private static final Pattern POSTGRES_URL = Pattern
		.compile("jdbc:postgresql://([^:/?]+)(?::(\\d+))?/([^?]+)(?:\\?.*)?");

	static Settings parse(String[] args) {
		List<String> rest = new ArrayList<>(Arrays.asList(args));
		boolean quick = rest.remove("--quick") || Boolean.getBoolean("bench.quick");
		Settings settings = new Settings(quick, Integer.parseInt(option(rest, "rounds", quick ? "1" : "5")),
				parseLevels(option(rest, "levels", quick ? "1,16,256" : "1,16,64,256,1024")),
				list(option(rest, "workloads", "point-select,insert,range-1000")).stream()
					.map(Workload::ofLabel)
					.toList(),
				list(option(rest, "contenders", "")),
				Duration.ofMillis(Long.parseLong(option(rest, "warmup-ms", quick ? "200" : "500"))),
				Duration.ofMillis(Long.parseLong(option(rest, "measure-ms", quick ? "500" : "2000"))),
				Integer.parseInt(option(rest, "burst", quick ? "20000" : "100000")),
				submitFrom(option(rest, "submit-from", "completing")),
				option(rest, "url", "jdbc:postgresql://127.0.0.1:5432/test"), option(rest, "user", "postgres"),
				option(rest, "password", ""), Path.of(option(rest, "output", defaultOutput(quick))));
		if (!rest.isEmpty()) {
			throw new IllegalArgumentException("Unknown arguments " + rest + "\n" + USAGE);
		}
		for (String contender : settings.contenders()) {
			if (!ContenderKind.labels().contains(contender)) {
				throw new IllegalArgumentException("Unknown contender '" + contender + "'\n" + USAGE);
			}
		}
		if (settings.rounds() < 1 || settings.burstSize() < 1 || settings.measure().isZero()) {
			throw new IllegalArgumentException("--rounds, --burst and --measure-ms must be positive\n" + USAGE);
		}
		settings.address();
		return settings;
	}

	private static String option(List<String> args, String name, String fallback) {
		int index = args.indexOf("--" + name);
		if (index < 0) {
			return System.getProperty("bench." + name, fallback);
		}
		if (index + 1 >= args.size()) {
			throw new IllegalArgumentException("--" + name + " needs a value\n" + USAGE);
		}
		args.remove(index);
		return args.remove(index);
	}

	private static ClosedLoop.SubmitFrom submitFrom(String text) {
		return switch (text) {
			case "completing" -> ClosedLoop.SubmitFrom.COMPLETING;
			case "executor" -> ClosedLoop.SubmitFrom.EXECUTOR;
			default -> throw new IllegalArgumentException(
					"--submit-from must be completing or executor, but was " + text + "\n" + USAGE);
		};
	}

	private static List<Integer> parseLevels(String text) {
		return list(text).stream().map(Integer::valueOf).sorted().toList();
	}

	private static List<String> list(String text) {
		return Arrays.stream(text.split(",")).map(String::trim).filter((item) -> !item.isEmpty()).toList();
	}

	/**
	 * Return whether the named contender takes part in this run.
	 */
	boolean includes(String contender) {
		return this.contenders.isEmpty() || this.contenders.contains(contender);
	}

	private static String defaultOutput(boolean quick) {
		// Run from the repository root (as the README says) or from the module itself;
		// smoke runs go aside (and are not committed) so they never overwrite a full run.
		String results = Path.of("benchmarks").toFile().isDirectory() ? "benchmarks/results" : "results";
		return quick ? results + "/quick" : results;
	}

	private Matcher address() {
		Matcher matcher = POSTGRES_URL.matcher(this.url);
		if (!matcher.matches()) {
			throw new IllegalArgumentException(
					"--url must look like jdbc:postgresql://host[:port]/database, but was " + this.url);
		}
		return matcher;
	}

	String host() {
		return address().group(1);
	}

	int port() {
		String port = address().group(2);
		return (port != null) ? Integer.parseInt(port) : 5432;
	}

	String database() {
		return address().group(3);
	}

}
