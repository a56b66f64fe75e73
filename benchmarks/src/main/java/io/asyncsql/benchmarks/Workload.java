package io.asyncsql.benchmarks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

/**
 * The operations every {@link Contender} runs, each as one SQL statement with JDBC
 * {@code ?} placeholders and random arguments.
 */
enum Workload {

	/** Select one row of {@code bench_item} by primary key. */
	POINT_SELECT("point-select", "SELECT id, name, amount FROM bench_item WHERE id = ?",
			"\\set p1 random(1, " + Database.ITEM_ROWS + ")\n"),

	/** Insert one row into {@code bench_insert}, which is truncated before each cell. */
	INSERT("insert", "INSERT INTO bench_insert (name, amount) VALUES (?, ?)",
			"\\set p2 random(1, 1000000)\n\\set p1 :p2\n"),

	/**
	 * Read a range of {@link #RANGE_ROWS} rows of {@code bench_item}, mapped to objects.
	 */
	RANGE_READ("range-1000", "SELECT id, name, amount FROM bench_item WHERE id BETWEEN ? AND ? ORDER BY id",
			"\\set p1 random(1, " + (Database.ITEM_ROWS - 999) + ")\n\\set p2 :p1 + 999\n");

	static final int RANGE_ROWS = 1000;

	private final String label;

	private final String sql;

	private final String pgbenchVariables;

	Workload(String label, String sql, String pgbenchVariables) {
		this.label = label;
		this.sql = sql;
		this.pgbenchVariables = pgbenchVariables;
	}

	String label() {
		return this.label;
	}

	static Workload ofLabel(String label) {
		for (Workload workload : values()) {
			if (workload.label.equals(label)) {
				return workload;
			}
		}
		throw new IllegalArgumentException(
				"Unknown workload '" + label + "'; choose from point-select, insert, " + "range-1000");
	}

	/**
	 * Return the statement with JDBC {@code ?} placeholders.
	 */
	String sql() {
		return this.sql;
	}

	/**
	 * Return the statement with its {@code ?} placeholders renamed, for APIs that number
	 * them ({@code $1} in R2DBC, {@code :p1} in pgbench).
	 * @param placeholder the placeholder for a 1-based position
	 */
	String sql(IntFunction<String> placeholder) {
		StringBuilder numbered = new StringBuilder();
		int position = 0;
		for (char c : this.sql.toCharArray()) {
			if (c == '?') {
				numbered.append(placeholder.apply(++position));
			}
			else {
				numbered.append(c);
			}
		}
		return numbered.toString();
	}

	/**
	 * Return a pgbench script that runs the same statement with the same kind of random
	 * arguments.
	 */
	String pgbenchScript() {
		return this.pgbenchVariables + sql((n) -> ":p" + n) + ";\n";
	}

	/**
	 * Return fresh random arguments for one operation.
	 */
	Object[] randomArguments() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return switch (this) {
			case POINT_SELECT -> new Object[] { random.nextInt(1, Database.ITEM_ROWS + 1) };
			case INSERT -> {
				int amount = random.nextInt(1, 1_000_001);
				yield new Object[] { Integer.toString(amount), amount };
			}
			case RANGE_READ -> {
				int first = random.nextInt(1, Database.ITEM_ROWS - RANGE_ROWS + 2);
				yield new Object[] { first, first + RANGE_ROWS - 1 };
			}
		};
	}

	/**
	 * Start one operation of this workload on a contender, with fresh random arguments
	 * and its result {@link #verify verified}.
	 */
	CompletableFuture<?> start(Contender contender) {
		return Futures.start(() -> contender.execute(this, randomArguments())).thenApply(this::verify);
	}

	/**
	 * Check an operation's result, so a contender cannot win by returning less.
	 * @param result what the operation produced
	 * @return the result
	 * @throws IllegalStateException if the result is not what the statement must return
	 */
	Object verify(Object result) {
		boolean valid = switch (this) {
			case POINT_SELECT -> result instanceof Item;
			case INSERT -> result instanceof Number count && count.longValue() == 1;
			case RANGE_READ ->
				result instanceof java.util.List<?> rows && rows.size() == RANGE_ROWS && rows.get(0) instanceof Item;
		};
		if (!valid) {
			throw new IllegalStateException(this.label + " returned an unexpected result: " + describe(result));
		}
		return result;
	}

	private static String describe(Object result) {
		if (result instanceof java.util.List<?> rows) {
			return rows.size() + " rows";
		}
		return String.valueOf(result);
	}

}
