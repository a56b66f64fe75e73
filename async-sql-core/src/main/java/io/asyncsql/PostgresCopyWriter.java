package io.asyncsql;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes rows with PostgreSQL's {@code COPY ... FROM STDIN} in text format through
 * pgjdbc's {@link org.postgresql.copy.CopyManager}: one {@code COPY} per batch, ended
 * before the sink asks for more rows. PostgreSQL reports a refused row only when a
 * {@code COPY} ends, so one {@code COPY} for the whole load would read the publisher to
 * its end before a failure showed; ending each batch costs a round trip per batch, and
 * means a batch is in the table (uncommitted) when the next is requested.
 * <p>
 * Loaded only when pgjdbc is on the classpath (see {@link BulkWriter#open}).
 *
 * @param <T> the row type
 */
final class PostgresCopyWriter<T> extends BulkWriter<T> {

	/**
	 * Characters encoded before they are sent, so that a batch of wide rows stays small.
	 */
	private static final int SEND_THRESHOLD = 64 * 1024;

	private final StringBuilder text = new StringBuilder(SEND_THRESHOLD + 1024);

	private @Nullable CopyIn copy;

	PostgresCopyWriter(BulkLoad<T> load) {
		super(load);
	}

	static boolean isPostgres(Connection connection) throws SQLException {
		return connection.isWrapperFor(PGConnection.class);
	}

	@Override
	void write(Connection connection, List<T> rows) throws SQLException {
		CopyIn current = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(this.load.copySql());
		this.copy = current;
		try {
			for (T row : rows) {
				CopyText.appendRow(this.text, this.load.valuesOf(row));
				if (this.text.length() >= SEND_THRESHOLD) {
					send(current);
				}
			}
			send(current);
			current.endCopy();
			this.copy = null;
		}
		catch (SQLException | RuntimeException ex) {
			abort();
			throw ex;
		}
	}

	private void send(CopyIn current) throws SQLException {
		if (this.text.length() > 0) {
			byte[] bytes = this.text.toString().getBytes(StandardCharsets.UTF_8);
			this.text.setLength(0);
			current.writeToCopy(bytes, 0, bytes.length);
		}
	}

	@Override
	void endChunk(Connection connection) {
		// Each batch is a COPY of its own, ended as it was written.
	}

	@Override
	void abort() {
		CopyIn current = this.copy;
		this.copy = null;
		this.text.setLength(0);
		if (current != null && current.isActive()) {
			try {
				current.cancelCopy();
			}
			catch (SQLException ex) {
				// The server ended the COPY already (it refused a row): nothing to
				// cancel.
			}
		}
	}

	@Override
	void close() {
		abort();
	}

}
