package io.asyncsql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.support.JdbcUtils;

/**
 * The result set of one {@link RowSubscription}, read across the steps of its lane:
 * opened on the first step, read a row at a time, one row ahead when the subscriber's
 * demand is met exactly, closed at the end.
 * <p>
 * pgjdbc fetches rows by the fetch size only inside a transaction (with auto-commit on it
 * reads the whole result at once), so a stream on a lane of its own turns auto-commit off
 * for its life, and ends that transaction when it closes: a commit when the rows ran out,
 * a rollback otherwise.
 * <p>
 * Used only by steps and the closing operation, which the lane runs one at a time.
 *
 * @param <T> the row type
 */
final class RowCursor<T> {

	private final RowPublisher<T> publisher;

	private volatile @Nullable PreparedStatement statement;

	private @Nullable ResultSet resultSet;

	private int rowNumber;

	/**
	 * Whether the cursor stands on a row not emitted yet, read ahead to find out whether
	 * the rows ended just as the demand did.
	 */
	private boolean positioned;

	private boolean ownTransaction;

	RowCursor(RowPublisher<T> publisher) {
		this.publisher = publisher;
	}

	/**
	 * Run the query on the first step; on a later one, have the step's connection track
	 * the open statement, so that cancelling the step cancels it.
	 */
	void open(Connection con) throws SQLException {
		if (this.resultSet != null) {
			PreparedStatement open = this.statement;
			TrackedConnection tracked = TrackedConnection.of(con);
			if (open != null && tracked != null) {
				tracked.track(open);
			}
			return;
		}
		if (this.publisher.ownsConnection && con.getAutoCommit()) {
			con.setAutoCommit(false);
			this.ownTransaction = true;
		}
		PreparedStatement prepared = con.prepareStatement(this.publisher.sql, ResultSet.TYPE_FORWARD_ONLY,
				ResultSet.CONCUR_READ_ONLY);
		this.statement = prepared;
		prepared.setFetchSize(this.publisher.fetchSize());
		DataSourceUtils.applyTimeout(prepared, this.publisher.engine.getDataSource(),
				this.publisher.jdbcTemplate.getQueryTimeout());
		new ArgumentPreparedStatementSetter(this.publisher.args).setValues(prepared);
		this.resultSet = prepared.executeQuery();
	}

	/**
	 * Move to the next row not emitted yet.
	 * @return whether there is one
	 */
	boolean next() throws SQLException {
		if (this.positioned) {
			this.positioned = false;
			return true;
		}
		return rows().next();
	}

	/**
	 * Map the current row.
	 */
	T map() throws SQLException {
		return this.publisher.rowMapper.mapRow(rows(), this.rowNumber++);
	}

	/**
	 * Read one row ahead, unless standing on one already, so that a subscriber that asked
	 * for just the rows there are still hears that they ended.
	 * @return whether there is another row
	 */
	boolean readAhead() throws SQLException {
		if (this.positioned) {
			return true;
		}
		if (!rows().next()) {
			return false;
		}
		this.positioned = true;
		return true;
	}

	/**
	 * Close the result set and statement and end the stream's own transaction, if any.
	 * @param completed whether the rows ran out, so that the transaction commits
	 */
	void close(Connection con, boolean completed) throws SQLException {
		JdbcUtils.closeResultSet(this.resultSet);
		JdbcUtils.closeStatement(this.statement);
		this.resultSet = null;
		if (this.ownTransaction) {
			this.ownTransaction = false;
			try {
				if (completed) {
					con.commit();
				}
				else {
					con.rollback();
				}
			}
			finally {
				con.setAutoCommit(true);
			}
		}
	}

	private ResultSet rows() {
		ResultSet rows = this.resultSet;
		if (rows == null) {
			throw new IllegalStateException("async-sql stream's result set is not open");
		}
		return rows;
	}

}
