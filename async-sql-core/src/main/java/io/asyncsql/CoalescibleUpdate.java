package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.PreparedStatementSetter;

/**
 * An auto-commit update that an engine with batching may run in one JDBC batch with other
 * queued updates of the same SQL ({@link UpdateCoalescer}); alone, or in a lane, it runs
 * as the plain update it stands for.
 *
 * @param jdbcTemplate the template that runs it alone, whose settings a batch keeps
 * @param sql the SQL text the JDBC statement is prepared with
 * @param setter sets the update's arguments on that statement
 * @param alone the update as it runs on its own
 */
record CoalescibleUpdate(JdbcTemplate jdbcTemplate, String sql, PreparedStatementSetter setter,
		ConnectionCallback<Integer> alone) implements ConnectionCallback<Integer> {

	/**
	 * A plain single-row {@code INSERT ... VALUES (...)}: in a batch that succeeds, each
	 * inserts exactly one row, whatever count the driver gives.
	 */
	private static final Pattern SINGLE_ROW_INSERT = Pattern.compile(
			"\\s*insert\\s+into\\s+[^\\s(]+\\s*(\\([^()]*\\))?\\s*values\\s*\\((?:[^()]|\\([^()]*\\))*\\)\\s*;?\\s*",
			Pattern.CASE_INSENSITIVE);

	/**
	 * Create the update of {@link JdbcTemplate#update(String, Object...)}.
	 */
	static CoalescibleUpdate of(JdbcTemplate jdbcTemplate, String sql, PreparedStatementSetter setter) {
		return new CoalescibleUpdate(jdbcTemplate, sql, setter, (connection) -> jdbcTemplate.update(sql, setter));
	}

	/**
	 * Return whether a queued operation runs the same statement, so that it can join this
	 * update's batch.
	 */
	boolean carries(EngineOperation<?> operation) {
		CoalescibleUpdate other = operation.update;
		return other != null && other.jdbcTemplate == this.jdbcTemplate && other.sql.equals(this.sql);
	}

	/**
	 * Return whether the update is a plain single-row insert, whose count in a batch that
	 * succeeded is 1 even when the driver reports {@code SUCCESS_NO_INFO}: one without
	 * {@code ON CONFLICT}, {@code RETURNING}, {@code IGNORE}, a select or a second row.
	 */
	boolean insertsOneRow() {
		return SINGLE_ROW_INSERT.matcher(this.sql).matches();
	}

	@Override
	public @Nullable Integer doInConnection(Connection connection) throws SQLException {
		return this.alone.doInConnection(connection);
	}

}
