package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Opens a lane's transaction at the server as it begins, on drivers that would otherwise
 * send {@code BEGIN} only with the transaction's first statement.
 * <p>
 * PostgreSQL's driver sends that {@code BEGIN} as a simple query of its own, ahead of the
 * statement. A cancel request that lands on it (the caller cancelling the transaction,
 * the statement's timeout) fails the {@code BEGIN} alone: the statement still runs,
 * outside any transaction, and commits by itself, while the driver reports it as failed
 * and the transaction as rolled back. The soak's ledger caught this as a lone debit or
 * credit. Beginning with a statement that is harmless on its own closes that window, for
 * the price of one round trip per transaction on those drivers.
 */
final class EagerBegin {

	private EagerBegin() {
	}

	/**
	 * Return whether the connection's driver begins a transaction only with its first
	 * statement, so that {@link #open} is needed.
	 */
	static boolean isNeeded(Connection connection) throws SQLException {
		String driver = connection.getMetaData().getDriverName();
		return driver != null && driver.startsWith("PostgreSQL");
	}

	/**
	 * Make the driver send its {@code BEGIN} now, with a statement that changes nothing
	 * should it run without the transaction.
	 */
	static void open(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute("SELECT 1");
		}
	}

}
