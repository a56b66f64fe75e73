package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;

import io.asyncsql.observation.OperationKind;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ConnectionCallback;

/**
 * Work of one {@link AsyncJdbcOperations} method, carrying what its observation shows:
 * the kind of operation and the SQL text (never the arguments).
 *
 * @param <T> the result type
 * @param kind the kind of operation
 * @param sql the SQL text, or {@code null} for a callback of the caller's
 * @param work the work itself
 */
record SqlWork<T>(OperationKind kind, @Nullable String sql,
		ConnectionCallback<T> work) implements ConnectionCallback<T> {

	static <T> SqlWork<T> statement(@Nullable String sql, ConnectionCallback<T> work) {
		return new SqlWork<>(OperationKind.STATEMENT, sql, work);
	}

	@Override
	public @Nullable T doInConnection(Connection con) throws SQLException {
		return this.work.doInConnection(con);
	}

}
