package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.Assert;

/**
 * Obtains the pooled connections of an {@link AsyncEngine} and runs work with one bound
 * for Spring, so that a {@code JdbcTemplate} on the same data source called inside the
 * work uses it.
 * <p>
 * While bound, the connection's statements are tracked for cancellation and the
 * operation's deadline becomes their query timeout. H2 keeps a statement's query timeout
 * in the session, so with a driver that does, the session's own timeout is put back after
 * each call with a deadline.
 */
final class ConnectionBinding {

	private final String engineName;

	private final DataSource dataSource;

	/** See {@link #keepsQueryTimeoutInSession}; {@code null} until known. */
	private volatile @Nullable Boolean queryTimeoutInSession;

	/** See {@link #beginsLazily}; {@code null} until known. */
	private volatile @Nullable Boolean beginsLazily;

	ConnectionBinding(String engineName, DataSource dataSource) {
		this.engineName = engineName;
		this.dataSource = dataSource;
	}

	/**
	 * Run work with a connection of its own from the pool, given back when it returns.
	 */
	<T> @Nullable T runPooled(EngineOperation<T> operation, ConnectionCallback<T> work) throws SQLException {
		Connection connection = obtainConnection();
		try {
			return runBound(operation, connection, work);
		}
		finally {
			JdbcUtils.closeConnection(connection);
		}
	}

	/**
	 * Run work with the connection bound for Spring, its statements tracked for
	 * cancellation and the operation's deadline as the statements' query timeout.
	 */
	<T> @Nullable T runBound(EngineOperation<T> operation, Connection connection, ConnectionCallback<T> work)
			throws SQLException {
		TrackedConnection tracked = new TrackedConnection(connection);
		ConnectionHolder holder = new ConnectionHolder(tracked);
		boolean timed = operation.deadline.isSet();
		boolean restore = timed && keepsQueryTimeoutInSession(connection);
		int sessionTimeout = restore ? tracked.sessionQueryTimeout() : 0;
		if (timed) {
			holder.setTimeoutInMillis(Math.max(1, TimeUnit.NANOSECONDS.toMillis(operation.deadline.remainingNanos())));
		}
		TransactionSynchronizationManager.bindResource(this.dataSource, holder);
		operation.attach(tracked);
		try {
			return work.doInConnection(tracked);
		}
		finally {
			operation.attach(null);
			tracked.detach();
			TransactionSynchronizationManager.unbindResource(this.dataSource);
			if (restore) {
				tracked.restoreSessionQueryTimeout(sessionTimeout);
			}
		}
	}

	/**
	 * Take a connection from the pool.
	 * @throws CannotGetJdbcConnectionException when the pool fails to give one
	 */
	Connection obtainConnection() {
		try {
			Connection connection = this.dataSource.getConnection();
			Assert.state(connection != null, "DataSource returned null from getConnection()");
			return connection;
		}
		catch (SQLException ex) {
			throw new CannotGetJdbcConnectionException(
					"async-sql engine '" + this.engineName + "' failed to obtain a JDBC connection", ex);
		}
	}

	/**
	 * Return whether this engine's driver keeps a statement's query timeout in the
	 * session (H2 does), so that a deadline's timeout must be undone after its call;
	 * found out once, on the first call with a deadline.
	 */
	boolean keepsQueryTimeoutInSession(Connection connection) throws SQLException {
		Boolean known = this.queryTimeoutInSession;
		if (known == null) {
			known = TrackedConnection.keepsQueryTimeoutInSession(connection);
			this.queryTimeoutInSession = known;
		}
		return known;
	}

	/**
	 * Return whether this engine's driver sends {@code BEGIN} only with a transaction's
	 * first statement, so that a transaction must be opened with {@link EagerBegin};
	 * found out once, on the first transaction.
	 */
	boolean beginsLazily(Connection connection) throws SQLException {
		Boolean known = this.beginsLazily;
		if (known == null) {
			known = EagerBegin.isNeeded(connection);
			this.beginsLazily = known;
		}
		return known;
	}

}
