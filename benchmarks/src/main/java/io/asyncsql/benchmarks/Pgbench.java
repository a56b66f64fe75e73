package io.asyncsql.benchmarks;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's own C load generator on the benchmark's tables, printed beside the
 * ceiling: {@code pgbench -n -M prepared -c 10 -j 2 -T <cell seconds> -f <script>}, where
 * the script runs the workload's statement with the same random arguments. {@code -n}
 * skips vacuuming pgbench's own tables, which this database does not have.
 */
final class Pgbench {

	private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

	private final Settings settings;

	private final Path scripts;

	private Pgbench(Settings settings, Path scripts) {
		this.settings = settings;
		this.scripts = scripts;
	}

	/**
	 * Return a runner when {@code pgbench} is on the PATH, otherwise {@code null}.
	 */
	static Pgbench findOnPath(Settings settings) {
		String path = System.getenv().getOrDefault("PATH", "");
		for (String folder : path.split(File.pathSeparator)) {
			if (Files.isExecutable(Path.of(folder, "pgbench"))) {
				try {
					return new Pgbench(settings, Files.createTempDirectory("async-sql-pgbench"));
				}
				catch (IOException ex) {
					return null;
				}
			}
		}
		return null;
	}

	static String description(Duration measure) {
		return "pgbench -n -M prepared -c " + Database.POOL_SIZE + " -j 2 -T " + seconds(measure)
				+ " -f <the workload's statement>";
	}

	/**
	 * Run the workload for about the measured time of a cell.
	 * @return transactions per second, or empty when pgbench failed
	 */
	OptionalDouble run(Workload workload, Duration measure) {
		try {
			Path script = this.scripts.resolve(workload.label() + ".sql");
			Files.writeString(script, workload.pgbenchScript(), StandardCharsets.UTF_8);
			ProcessBuilder builder = new ProcessBuilder(List.of("pgbench", "-n", "-M", "prepared", "-c",
					Integer.toString(Database.POOL_SIZE), "-j", "2", "-T", Integer.toString(seconds(measure)), "-f",
					script.toString(), "-h", this.settings.host(), "-p", Integer.toString(this.settings.port()), "-U",
					this.settings.user(), this.settings.database()));
			builder.environment().put("PGPASSWORD", this.settings.password());
			builder.redirectErrorStream(true);
			// To a file, so that a pgbench that hangs cannot block the read: waitFor
			// times out.
			Path log = this.scripts.resolve(workload.label() + ".log");
			builder.redirectOutput(log.toFile());
			Process process = builder.start();
			boolean exited = process.waitFor(seconds(measure) + 30L, TimeUnit.SECONDS);
			if (!exited) {
				process.destroyForcibly();
			}
			String output = Files.readString(log, StandardCharsets.UTF_8);
			if (!exited || process.exitValue() != 0) {
				System.err.println("pgbench failed for " + workload.label() + ":\n" + output);
				return OptionalDouble.empty();
			}
			Matcher tps = TPS.matcher(output);
			return tps.find() ? OptionalDouble.of(Double.parseDouble(tps.group(1))) : OptionalDouble.empty();
		}
		catch (IOException ex) {
			System.err.println("pgbench could not run: " + ex.getMessage());
			return OptionalDouble.empty();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return OptionalDouble.empty();
		}
	}

	private static int seconds(Duration measure) {
		return (int) Math.max(1, Math.round(measure.toMillis() / 1000.0));
	}

}
