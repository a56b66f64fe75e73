package io.asyncsql;

import java.util.List;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * What a {@link BulkSink} writes: the target table and columns, how a row becomes their
 * values, how many rows go to the database at a time and when they are committed.
 * Immutable; each setting returns a new definition: <pre class="code">
 * BulkLoad&lt;User&gt; load = BulkLoad.&lt;User&gt;into("users", List.of("id", "name"),
 *         (user) -&gt; new Object[] { user.id(), user.name() })
 *     .batchSize(1000)
 *     .commitEvery(100_000);
 * </pre> Table and column names go into the SQL as written (quote them yourself where the
 * database needs it); never build them from untrusted input.
 *
 * @param <T> the row type
 * @since 0.1.0
 * @see AsyncJdbcTemplate#bulkSink(BulkLoad)
 */
public final class BulkLoad<T> {

	/** Rows per batch unless set. */
	public static final int DEFAULT_BATCH_SIZE = 1000;

	private final String table;

	private final List<String> columns;

	private final Function<? super T, ? extends @Nullable Object[]> values;

	private final int batchSize;

	private final long commitEvery;

	private final boolean copy;

	private BulkLoad(String table, List<String> columns, Function<? super T, ? extends @Nullable Object[]> values,
			int batchSize, long commitEvery, boolean copy) {
		this.table = table;
		this.columns = columns;
		this.values = values;
		this.batchSize = batchSize;
		this.commitEvery = commitEvery;
		this.copy = copy;
	}

	/**
	 * Define a load into the given columns of a table, in one transaction, in batches of
	 * {@value #DEFAULT_BATCH_SIZE} rows, using {@code COPY} on PostgreSQL.
	 * @param <T> the row type
	 * @param table the table name
	 * @param columns the column names, in the order of the values
	 * @param values the values of a row, one per column; run on an engine thread
	 * @return the definition
	 */
	public static <T> BulkLoad<T> into(String table, List<String> columns,
			Function<? super T, ? extends @Nullable Object[]> values) {
		Assert.hasText(table, "'table' must not be null or empty");
		Assert.notEmpty(columns, "'columns' must not be null or empty");
		for (String column : columns) {
			Assert.hasText(column, () -> "'columns' must not contain null or empty names, but was " + columns);
		}
		Assert.notNull(values, "'values' must not be null");
		return new BulkLoad<>(table, List.copyOf(columns), values, DEFAULT_BATCH_SIZE, 0, true);
	}

	/**
	 * Return a definition that sends rows to the database in batches of the given size:
	 * the sink holds at most two batches of rows, and requests the next rows from its
	 * publisher only when the database has taken the batch before.
	 * @param rows rows per batch, positive
	 * @return the definition
	 */
	public BulkLoad<T> batchSize(int rows) {
		Assert.isTrue(rows > 0, () -> "'batchSize' must be positive, but was " + rows);
		return new BulkLoad<>(this.table, this.columns, this.values, rows, this.commitEvery, this.copy);
	}

	/**
	 * Return a definition that commits after every given number of rows (a batch ends
	 * where a commit falls), so that a failure leaves the rows committed before it; the
	 * default is {@link #inOneTransaction() one transaction}.
	 * @param rows rows per commit, positive
	 * @return the definition
	 */
	public BulkLoad<T> commitEvery(long rows) {
		Assert.isTrue(rows > 0, () -> "'commitEvery' must be positive, but was " + rows);
		return new BulkLoad<>(this.table, this.columns, this.values, this.batchSize, rows, this.copy);
	}

	/**
	 * Return a definition that writes all rows in one transaction, committed when the
	 * publisher completes: a failure or a cancel leaves no row written.
	 * @return the definition
	 */
	public BulkLoad<T> inOneTransaction() {
		return new BulkLoad<>(this.table, this.columns, this.values, this.batchSize, 0, this.copy);
	}

	/**
	 * Return a definition that uses PostgreSQL's {@code COPY ... FROM STDIN} (the
	 * default) when the connection is pgjdbc's, or JDBC batches of {@code INSERT}s
	 * everywhere.
	 * @param copy whether to use {@code COPY} where it is available
	 * @return the definition
	 */
	public BulkLoad<T> useCopy(boolean copy) {
		return new BulkLoad<>(this.table, this.columns, this.values, this.batchSize, this.commitEvery, copy);
	}

	/**
	 * Return the table name.
	 * @return the table
	 */
	public String getTable() {
		return this.table;
	}

	/**
	 * Return the column names, in the order of the values.
	 * @return the columns
	 */
	public List<String> getColumns() {
		return this.columns;
	}

	/**
	 * Return the rows per batch.
	 * @return the batch size
	 */
	public int getBatchSize() {
		return this.batchSize;
	}

	/**
	 * Return the rows per commit.
	 * @return the rows per commit, or 0 for one transaction
	 */
	public long getCommitEvery() {
		return this.commitEvery;
	}

	/**
	 * Return whether {@code COPY} is used on PostgreSQL.
	 * @return whether to use {@code COPY} where it is available
	 */
	public boolean isUseCopy() {
		return this.copy;
	}

	/**
	 * Return the values of a row, checked against the columns.
	 */
	@Nullable Object[] valuesOf(T row) {
		@Nullable Object[] result = this.values.apply(row);
		if (result == null || result.length != this.columns.size()) {
			throw new IllegalArgumentException("Bulk load into " + this.table + ": the values function returned "
					+ ((result != null) ? result.length + " values" : "null") + " for a row of " + this.columns.size()
					+ " columns " + this.columns);
		}
		return result;
	}

	String insertSql() {
		return "INSERT INTO " + this.table + " (" + String.join(", ", this.columns) + ") VALUES ("
				+ String.join(", ", this.columns.stream().map((column) -> "?").toList()) + ")";
	}

	String copySql() {
		return "COPY " + this.table + " (" + String.join(", ", this.columns) + ") FROM STDIN";
	}

	@Override
	public String toString() {
		return "BulkLoad into " + this.table + " " + this.columns + " (batchSize=" + this.batchSize
				+ ((this.commitEvery > 0) ? ", commitEvery=" + this.commitEvery : ", one transaction") + ")";
	}

}
