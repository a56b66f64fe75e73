package io.asyncsql.observation;

import java.util.Locale;

/**
 * The kinds of operation an {@link io.asyncsql.AsyncEngine} observes.
 *
 * @since 0.1.0
 */
public enum OperationKind {

	/**
	 * One statement or callback on a pooled connection, or on a connection's lane.
	 */
	STATEMENT,

	/**
	 * A JDBC batch: one statement with many sets of arguments.
	 */
	BATCH,

	/**
	 * A streamed query, from subscription until its last row, error or cancellation.
	 */
	STREAM,

	/**
	 * An {@link io.asyncsql.AsyncConnection}, from {@code connect()} until it is closed.
	 */
	CONNECTION,

	/**
	 * A transaction of {@code AsyncJdbcTemplate.inTransaction}, from taking its
	 * connection until it has committed or rolled back.
	 */
	TRANSACTION,

	/**
	 * A bulk load of {@code AsyncJdbcTemplate.bulkSink}, from subscription until its rows
	 * are committed, or rolled back, and its connection released.
	 */
	BULK_LOAD;

	/**
	 * Return the value of the {@code asyncsql.kind} key.
	 * @return the lower-case name
	 */
	public String value() {
		return name().toLowerCase(Locale.ROOT);
	}

}
