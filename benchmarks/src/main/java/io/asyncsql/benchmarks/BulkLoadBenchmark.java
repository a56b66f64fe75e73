package io.asyncsql.benchmarks;

import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.BulkLoad;
import io.asyncsql.ThreadMode;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Rows per second of bulk loads, side by side in one run: async-sql's {@code BulkSink}
 * ({@code COPY} and JDBC batches) against {@code JdbcTemplate.batchUpdate} with the same
 * batch size, in one transaction, and against {@code psql}'s {@code \copy} of a file made
 * beforehand, on PostgreSQL; the sink's JDBC batches against {@code batchUpdate} on
 * MariaDB. Every contender writes the same rows into an emptied table in one transaction;
 * the order of the contenders changes from round to round, and the report gives medians.
 * Run with {@code java -jar async-sql-benchmarks.jar bulk-load [options]}.
 *
 * @since 0.1.0
 */
final class BulkLoadBenchmark {

	static final String USAGE = """
			Usage: java -jar benchmarks/target/async-sql-benchmarks.jar bulk-load [options]
			  --rows N            rows per load (default 1000000)
			  --batch-size N      rows per batch of the sink and of batchUpdate (default 1000)
			  --rounds N          rounds; the report gives medians (default 3)
			  --url URL           PostgreSQL (default jdbc:postgresql://127.0.0.1:5432/test, user postgres)
			  --mariadb-url URL   MariaDB, or 'none' (default jdbc:mariadb://127.0.0.1:3306/test, user root)
			  --psql PATH         psql for the \\copy reference (default /usr/bin/psql)
			  --output DIR        where RESULTS.md goes (default benchmarks/results/bulk-load)
			""";

	private static final List<String> COLUMNS = List.of("id", "name", "amount", "created");

	private static final String TABLE = "bench_bulk";

	private final Map<String, String> options;

	private final int rows;

	private final int batchSize;

	private final Map<String, List<Double>> results = new LinkedHashMap<>();

	private BulkLoadBenchmark(Map<String, String> options) {
		this.options = options;
		this.rows = Integer.parseInt(options.getOrDefault("rows", "1000000"));
		this.batchSize = Integer.parseInt(options.getOrDefault("batch-size", "1000"));
	}

	static void main(String[] args) {
		Map<String, String> options = new LinkedHashMap<>();
		for (int i = 0; i < args.length; i += 2) {
			if (!args[i].startsWith("--") || i + 1 >= args.length) {
				System.err.println(USAGE);
				System.exit(2);
			}
			options.put(args[i].substring(2), args[i + 1]);
		}
		new BulkLoadBenchmark(options).run(Integer.parseInt(options.getOrDefault("rounds", "3")));
	}

	private void run(int rounds) {
		String url = this.options.getOrDefault("url", "jdbc:postgresql://127.0.0.1:5432/test");
		String mariadbUrl = this.options.getOrDefault("mariadb-url", "jdbc:mariadb://127.0.0.1:3306/test");
		try (HikariDataSource postgres = Database.pool("bulk-pg", url, "postgres", "", 2);
				AsyncEngine postgresEngine = AsyncEngine.builder(postgres).threadMode(ThreadMode.PLATFORM).build();
				HikariDataSource mariadb = "none".equals(mariadbUrl) ? null
						: Database.pool("bulk-mariadb", mariadbUrl, "root", "", 2);
				AsyncEngine mariadbEngine = (mariadb != null)
						? AsyncEngine.builder(mariadb).threadMode(ThreadMode.PLATFORM).build() : null) {
			Path file = Files.createTempFile("bench-bulk", ".copy");
			try {
				writeCopyFile(file);
				Environment environment = Environment.capture(Database.version(postgres));
				List<Contender> contenders = contenders(postgres, postgresEngine, mariadb, mariadbEngine, file);
				// The report lists contenders in this order, whatever order they ran in.
				contenders.forEach((contender) -> this.results.put(contender.name(), new ArrayList<>()));
				progress("bulk-load benchmark: %,d rows, batches of %,d, %d round(s); %s; %s", this.rows,
						this.batchSize, rounds, environment.machine(), environment.jdk());
				for (int round = 0; round <= rounds; round++) {
					List<Contender> order = new ArrayList<>(contenders);
					Collections.shuffle(order, new Random(round));
					for (Contender contender : order) {
						double rowsPerSecond = contender.measure();
						if (round > 0) {
							this.results.get(contender.name()).add(rowsPerSecond);
						}
						progress("  %s %-45s %12s rows/s", (round == 0) ? "warm-up" : "round " + round,
								contender.name(), MarkdownReport.number(rowsPerSecond));
					}
				}
				write(report(environment, rounds));
			}
			finally {
				Files.deleteIfExists(file);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not write the benchmark's files", ex);
		}
	}

	private List<Contender> contenders(HikariDataSource postgres, AsyncEngine postgresEngine, HikariDataSource mariadb,
			AsyncEngine mariadbEngine, Path file) {
		BulkLoad<Object[]> load = BulkLoad.into(TABLE, COLUMNS, (Object[] row) -> row).batchSize(this.batchSize);
		List<Contender> contenders = new ArrayList<>();
		AsyncJdbcTemplate pg = new AsyncJdbcTemplate(postgresEngine);
		create(pg.getJdbcTemplate(), "text", "timestamp");
		contenders
			.add(new Contender("PostgreSQL: async-sql BulkSink, COPY", pg.getJdbcTemplate(), () -> sink(pg, load)));
		contenders.add(new Contender("PostgreSQL: async-sql BulkSink, JDBC batches", pg.getJdbcTemplate(),
				() -> sink(pg, load.useCopy(false))));
		contenders.add(new Contender("PostgreSQL: JdbcTemplate.batchUpdate", pg.getJdbcTemplate(),
				() -> batchUpdate(postgres)));
		contenders.add(new Contender("PostgreSQL: psql \\copy (file made beforehand)", pg.getJdbcTemplate(),
				() -> psql(file)));
		if (mariadb != null) {
			AsyncJdbcTemplate maria = new AsyncJdbcTemplate(mariadbEngine);
			create(maria.getJdbcTemplate(), "varchar(40)", "datetime");
			contenders.add(new Contender("MariaDB: async-sql BulkSink, JDBC batches", maria.getJdbcTemplate(),
					() -> sink(maria, load)));
			contenders.add(new Contender("MariaDB: JdbcTemplate.batchUpdate", maria.getJdbcTemplate(),
					() -> batchUpdate(mariadb)));
		}
		return contenders;
	}

	private static void create(JdbcTemplate jdbc, String text, String timestamp) {
		jdbc.execute("DROP TABLE IF EXISTS " + TABLE);
		jdbc.execute("CREATE TABLE " + TABLE + " (id bigint PRIMARY KEY, name " + text
				+ " NOT NULL, amount numeric(12,2) NOT NULL, created " + timestamp + " NOT NULL)");
	}

	private long sink(AsyncJdbcTemplate template, BulkLoad<Object[]> load) {
		try {
			return template.bulkLoad(new GeneratedRows(this.rows), load).get(10, TimeUnit.MINUTES);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Bulk load failed", ex);
		}
	}

	private long batchUpdate(HikariDataSource dataSource) {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		String sql = "INSERT INTO " + TABLE + " (" + String.join(", ", COLUMNS) + ") VALUES (?, ?, ?, ?)";
		new TransactionTemplate(new DataSourceTransactionManager(dataSource)).executeWithoutResult((status) -> {
			List<Object[]> batch = new ArrayList<>(this.batchSize);
			for (long id = 0; id < this.rows; id++) {
				batch.add(GeneratedRows.row(id));
				if (batch.size() == this.batchSize || id == this.rows - 1) {
					jdbc.batchUpdate(sql, batch);
					batch = new ArrayList<>(this.batchSize);
				}
			}
		});
		return this.rows;
	}

	private long psql(Path file) {
		String psql = this.options.getOrDefault("psql", "/usr/bin/psql");
		ProcessBuilder builder = new ProcessBuilder(psql, "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-q", "-v",
				"ON_ERROR_STOP=1", "-c",
				"\\copy " + TABLE + " (" + String.join(", ", COLUMNS) + ") from '" + file + "'");
		builder.redirectErrorStream(true);
		builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
		try {
			int exit = builder.start().waitFor();
			if (exit != 0) {
				throw new IllegalStateException("psql exited with " + exit);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not run " + psql, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
		return this.rows;
	}

	/**
	 * Write the rows in COPY's text format, as psql reads them: the same values the other
	 * contenders write.
	 */
	private void writeCopyFile(Path file) throws IOException {
		try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
			for (long id = 0; id < this.rows; id++) {
				Object[] row = GeneratedRows.row(id);
				out.write(row[0] + "\t" + row[1] + "\t" + ((BigDecimal) row[2]).toPlainString() + "\t" + row[3] + "\n");
			}
		}
	}

	private String report(Environment environment, int rounds) {
		StringBuilder out = new StringBuilder();
		out.append("# Bulk loads\n\n");
		out.append(String.format(Locale.ROOT,
				"%,d rows (bigint, text, numeric, timestamp) per load into an emptied table, one transaction, "
						+ "batches of %,d; median of %d round(s) after a warm-up round, contenders in a new order "
						+ "each round.%n%n",
				this.rows, this.batchSize, rounds));
		out.append("- Started: ").append(environment.started()).append('\n');
		out.append("- Machine: ").append(environment.machine()).append('\n');
		out.append("- JDK: ").append(environment.jdk()).append('\n');
		out.append("- PostgreSQL: ").append(environment.postgres()).append('\n');
		out.append("- Command: `").append(environment.command()).append("`\n\n");
		out.append("| contender | rows/s (median) | min – max | vs batchUpdate on the same database |\n");
		out.append("|---|---:|---:|---:|\n");
		for (Map.Entry<String, List<Double>> entry : this.results.entrySet()) {
			List<Double> values = entry.getValue().stream().sorted().toList();
			String database = entry.getKey().substring(0, entry.getKey().indexOf(':'));
			List<Double> reference = this.results.get(database + ": JdbcTemplate.batchUpdate");
			double ratio = (reference != null) ? median(values) / median(reference) : Double.NaN;
			out.append("| ")
				.append(entry.getKey())
				.append(" | ")
				.append(MarkdownReport.number(median(values)))
				.append(" | ")
				.append(MarkdownReport.number(values.get(0)))
				.append(" – ")
				.append(MarkdownReport.number(values.get(values.size() - 1)))
				.append(" | ")
				.append(MarkdownReport.ratio(ratio))
				.append(" |\n");
		}
		return out.toString();
	}

	private static double median(List<Double> values) {
		List<Double> sorted = values.stream().sorted().toList();
		int middle = sorted.size() / 2;
		return (sorted.size() % 2 == 1) ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
	}

	private void write(String markdown) throws IOException {
		System.out.println(markdown);
		Path output = Path.of(this.options.getOrDefault("output",
				Path.of("benchmarks").toFile().isDirectory() ? "benchmarks/results/bulk-load" : "results/bulk-load"));
		Files.createDirectories(output);
		Files.writeString(output.resolve("RESULTS.md"), markdown, StandardCharsets.UTF_8);
		progress("wrote %s", output.resolve("RESULTS.md"));
	}

	private static void progress(String format, Object... args) {
		System.err.println(String.format(Locale.ROOT, format, args));
	}

	/**
	 * One way to load the rows, and the table it fills.
	 */
	private record Contender(String name, JdbcTemplate table, Load load) {

		/**
		 * Empty the table, load the rows, check that they are all there.
		 * @return rows per second of the load alone
		 */
		double measure() {
			this.table.execute("TRUNCATE TABLE " + TABLE);
			long started = System.nanoTime();
			long written = this.load.run();
			double seconds = (System.nanoTime() - started) / 1e9;
			Long counted = this.table.queryForObject("SELECT count(*) FROM " + TABLE, Long.class);
			if (counted == null || counted != written) {
				throw new IllegalStateException(
						this.name + " wrote " + written + " rows but the table holds " + counted);
			}
			return written / seconds;
		}

	}

	@FunctionalInterface
	private interface Load {

		long run();

	}

	static boolean isCommand(String[] args) {
		return args.length > 0 && "bulk-load".equals(args[0]);
	}

	static String[] rest(String[] args) {
		return Arrays.copyOfRange(args, 1, args.length);
	}

}
