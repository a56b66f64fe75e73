package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * The {@link Connection} engine work receives: it remembers the statements it creates, so
 * that work running on another thread can be cancelled at the database with
 * {@link Statement#cancel()}.
 * <p>
 * Closing it does nothing: the engine owns the physical connection and decides when it
 * goes back to the pool. Once {@link #cancel() cancelled}, it refuses to create
 * statements, so cancelled work cannot start a new one. Each operation gets a fresh one.
 * <p>
 * A cancel and the {@link #detach() end of the work} exclude each other: the work's
 * connection is not handed on (to the pool, or to a lane's next operation) while a cancel
 * for it is in flight, and a cancel that comes after the work ended does nothing. Some
 * drivers cancel by sending the server a request that names the session, not the
 * statement (MariaDB Connector/J sends {@code KILL QUERY <id>} over a second connection):
 * arriving late, it would stop whatever the session runs next.
 */
final class TrackedConnection extends ForwardingConnection {

	private final List<Statement> statements = new ArrayList<>(2);

	/** Held while statements are cancelled, and to detach. */
	private final ReentrantLock cancelLock = new ReentrantLock();

	private boolean cancelled;

	/** Whether the work is over; guarded by {@link #cancelLock}. */
	private boolean detached;

	TrackedConnection(Connection target) {
		super(target);
	}

	/**
	 * Return the tracker behind a connection handed to engine work.
	 * @param connection the connection the work received
	 * @return the tracker, or {@code null} for a connection the engine did not wrap
	 */
	static @Nullable TrackedConnection of(Connection connection) {
		return (connection instanceof TrackedConnection tracked) ? tracked : null;
	}

	@Override
	public void close() {
		// The engine gives the connection back when the work is over.
	}

	@Override
	public String toString() {
		return "async-sql tracked connection [" + this.target + "]";
	}

	@Override
	synchronized void statementRequested() throws SQLException {
		if (this.cancelled) {
			throw new SQLException("The operation using this connection was cancelled", "57014");
		}
	}

	@Override
	<S extends Statement> S statementCreated(S statement) throws SQLException {
		track(statement);
		return statement;
	}

	/**
	 * Track a statement created by earlier work (a stream's), so that cancelling the
	 * current work cancels it too.
	 */
	synchronized void track(Statement statement) throws SQLException {
		this.statements.removeIf(TrackedConnection::isClosed);
		this.statements.add(statement);
		if (this.cancelled) {
			statement.cancel();
		}
	}

	/**
	 * Cancel every open statement of the current work and refuse new ones; does nothing
	 * once the work is {@link #detach() detached}.
	 */
	void cancel() {
		this.cancelLock.lock();
		try {
			if (this.detached) {
				return;
			}
			List<Statement> open;
			synchronized (this) {
				this.cancelled = true;
				open = new ArrayList<>(this.statements);
			}
			for (Statement statement : open) {
				try {
					if (!statement.isClosed()) {
						statement.cancel();
					}
				}
				catch (SQLException | RuntimeException ex) {
					// The statement finished or its connection broke: nothing left to
					// cancel.
				}
			}
		}
		finally {
			this.cancelLock.unlock();
		}
	}

	/**
	 * Mark the work over, waiting for a cancel in flight to return first, so that its
	 * connection can be handed on.
	 */
	void detach() {
		this.cancelLock.lock();
		try {
			this.detached = true;
		}
		finally {
			this.cancelLock.unlock();
		}
	}

	/**
	 * Find out whether a driver keeps the query timeout in the session: set one on a
	 * statement and see whether a second statement starts with it. Restores it after.
	 * @param connection a connection of the driver
	 * @return {@code true} for a session-wide timeout (H2), {@code false} for one per
	 * statement (as JDBC intends)
	 * @throws SQLException if the connection is broken
	 */
	static boolean keepsQueryTimeoutInSession(Connection connection) throws SQLException {
		try (Statement first = connection.createStatement()) {
			int before = first.getQueryTimeout();
			first.setQueryTimeout(before + 1);
			try (Statement second = connection.createStatement()) {
				return second.getQueryTimeout() != before;
			}
			finally {
				first.setQueryTimeout(before);
			}
		}
	}

	/**
	 * Return the query timeout a new statement of this connection starts with, for a
	 * driver that keeps it in the session, where a deadline's timeout would outlive its
	 * call.
	 * @return the timeout in seconds, 0 for none
	 * @throws SQLException if the connection is broken
	 */
	int sessionQueryTimeout() throws SQLException {
		try (Statement statement = this.target.createStatement()) {
			return statement.getQueryTimeout();
		}
	}

	/**
	 * Put back the session's query timeout after work that ran with a deadline.
	 * @param seconds what {@link #sessionQueryTimeout()} returned before the work
	 */
	void restoreSessionQueryTimeout(int seconds) {
		try (Statement statement = this.target.createStatement()) {
			if (statement.getQueryTimeout() != seconds) {
				statement.setQueryTimeout(seconds);
			}
		}
		catch (SQLException ex) {
			// A broken connection: the pool discards it when it comes back.
		}
	}

	private static boolean isClosed(Statement statement) {
		try {
			return statement.isClosed();
		}
		catch (SQLException ex) {
			return true;
		}
	}

}
