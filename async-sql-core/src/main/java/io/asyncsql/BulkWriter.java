package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.springframework.util.ClassUtils;

/**
 * How a {@link BulkSink} puts rows into the database: PostgreSQL's {@code COPY} where the
 * connection is pgjdbc's, JDBC batches of {@code INSERT}s elsewhere. Used only by lane
 * operations, one at a time.
 *
 * @param <T> the row type
 */
abstract class BulkWriter<T> {

	/**
	 * Whether pgjdbc is on the classpath: only then may {@link PostgresCopyWriter}, which
	 * links to it, be loaded.
	 */
	private static final boolean PGJDBC_PRESENT = ClassUtils.isPresent("org.postgresql.PGConnection",
			BulkWriter.class.getClassLoader());

	final BulkLoad<T> load;

	BulkWriter(BulkLoad<T> load) {
		this.load = load;
	}

	/**
	 * Return the writer for the connection: {@code COPY} when the load allows it and the
	 * connection is PostgreSQL's through pgjdbc.
	 */
	static <T> BulkWriter<T> open(Connection connection, BulkLoad<T> load) throws SQLException {
		if (load.isUseCopy() && PGJDBC_PRESENT && PostgresCopyWriter.isPostgres(connection)) {
			return new PostgresCopyWriter<>(load);
		}
		return new JdbcBatchWriter<>(load);
	}

	/**
	 * Send rows to the database in the current transaction.
	 */
	abstract void write(Connection connection, List<T> rows) throws SQLException;

	/**
	 * Finish what was written, before a commit: its errors surface here at the latest.
	 */
	abstract void endChunk(Connection connection) throws SQLException;

	/**
	 * Drop what is under way, before a rollback; best effort.
	 */
	abstract void abort();

	/**
	 * Release what the writer holds on the connection; best effort.
	 */
	abstract void close();

}
