package io.asyncsql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.support.JdbcUtils;

/**
 * Writes each batch of rows as one JDBC batch of a prepared {@code INSERT}, binding
 * values as {@code JdbcTemplate.batchUpdate} does. The statement is prepared once and
 * lives as long as the load; each batch's connection tracks it, so that a cancel of the
 * load cancels it at the database.
 *
 * @param <T> the row type
 */
final class JdbcBatchWriter<T> extends BulkWriter<T> {

	private @Nullable PreparedStatement statement;

	JdbcBatchWriter(BulkLoad<T> load) {
		super(load);
	}

	@Override
	void write(Connection connection, List<T> rows) throws SQLException {
		PreparedStatement insert = this.statement;
		if (insert == null) {
			insert = connection.prepareStatement(this.load.insertSql());
			this.statement = insert;
		}
		else {
			TrackedConnection tracked = TrackedConnection.of(connection);
			if (tracked != null) {
				tracked.track(insert);
			}
		}
		for (T row : rows) {
			new ArgumentPreparedStatementSetter(this.load.valuesOf(row)).setValues(insert);
			insert.addBatch();
		}
		insert.executeBatch();
	}

	@Override
	void endChunk(Connection connection) {
		// Each batch was executed as it came.
	}

	@Override
	void abort() {
		PreparedStatement insert = this.statement;
		if (insert != null) {
			try {
				insert.clearBatch();
			}
			catch (SQLException ex) {
				// Closed below, and the transaction rolled back, all the same.
			}
		}
	}

	@Override
	void close() {
		JdbcUtils.closeStatement(this.statement);
		this.statement = null;
	}

}
