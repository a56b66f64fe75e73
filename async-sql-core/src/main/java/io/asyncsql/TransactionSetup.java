package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.transaction.InvalidIsolationLevelException;
import org.springframework.transaction.InvalidTimeoutException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.util.Assert;

/**
 * What a {@link TransactionDefinition} asks of a connection at the start of a
 * transaction: its isolation level, read-only mode and deadline. {@link #apply} changes
 * the connection and returns what puts its previous state back when the transaction ends,
 * as Spring's {@code DataSourceUtils} does for blocking transactions.
 */
final class TransactionSetup {

	static final TransactionSetup DEFAULT = new TransactionSetup(TransactionDefinition.ISOLATION_DEFAULT, false,
			TransactionDefinition.TIMEOUT_DEFAULT, null);

	private final int isolationLevel;

	private final boolean readOnly;

	private final int timeoutSeconds;

	private final @Nullable String name;

	private TransactionSetup(int isolationLevel, boolean readOnly, int timeoutSeconds, @Nullable String name) {
		this.isolationLevel = isolationLevel;
		this.readOnly = readOnly;
		this.timeoutSeconds = timeoutSeconds;
		this.name = name;
	}

	/**
	 * Check a definition and keep what a connection needs of it; propagation is for the
	 * caller to decide.
	 * @throws InvalidIsolationLevelException for an unknown isolation level
	 * @throws InvalidTimeoutException for a negative timeout other than the default
	 */
	static TransactionSetup of(TransactionDefinition definition) {
		Assert.notNull(definition, "'definition' must not be null");
		int isolation = definition.getIsolationLevel();
		boolean knownIsolation = switch (isolation) {
			case TransactionDefinition.ISOLATION_DEFAULT, TransactionDefinition.ISOLATION_READ_UNCOMMITTED,
					TransactionDefinition.ISOLATION_READ_COMMITTED, TransactionDefinition.ISOLATION_REPEATABLE_READ,
					TransactionDefinition.ISOLATION_SERIALIZABLE ->
				true;
			default -> false;
		};
		if (!knownIsolation) {
			throw new InvalidIsolationLevelException("Unknown isolation level " + isolation + " in " + definition);
		}
		int timeout = definition.getTimeout();
		if (timeout < TransactionDefinition.TIMEOUT_DEFAULT) {
			throw new InvalidTimeoutException("Invalid transaction timeout in " + definition, timeout);
		}
		return new TransactionSetup(isolation, definition.isReadOnly(), timeout, definition.getName());
	}

	/**
	 * Return the deadline of a transaction that starts now: none without a timeout.
	 */
	Deadline deadline() {
		if (this.timeoutSeconds == TransactionDefinition.TIMEOUT_DEFAULT) {
			return Deadline.NONE;
		}
		Duration timeout = Duration.ofSeconds(this.timeoutSeconds);
		String owner = (this.name != null) ? " of '" + this.name + "'" : "";
		return Deadline.after(timeout, "the transaction timeout" + owner + " (" + this.timeoutSeconds
				+ " s, TransactionDefinition.getTimeout())");
	}

	boolean hasTimeout() {
		return this.timeoutSeconds != TransactionDefinition.TIMEOUT_DEFAULT;
	}

	/**
	 * Prepare a connection whose auto-commit is already off; return what restores it.
	 */
	Restore apply(Connection connection) throws SQLException {
		Integer previousIsolation = null;
		if (this.isolationLevel != TransactionDefinition.ISOLATION_DEFAULT) {
			int current = connection.getTransactionIsolation();
			if (current != this.isolationLevel) {
				connection.setTransactionIsolation(this.isolationLevel);
				previousIsolation = current;
			}
		}
		boolean resetReadOnly = false;
		if (this.readOnly) {
			if (!connection.isReadOnly()) {
				connection.setReadOnly(true);
				resetReadOnly = true;
			}
			enforceReadOnly(connection);
		}
		return new Restore(previousIsolation, resetReadOnly);
	}

	/**
	 * Make the server refuse writes where {@code setReadOnly} is only a hint to the
	 * driver (MariaDB and MySQL); PostgreSQL's driver begins the transaction read-only.
	 */
	private static void enforceReadOnly(Connection connection) throws SQLException {
		String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
		if (product.contains("mariadb") || product.contains("mysql")) {
			try (Statement statement = connection.createStatement()) {
				statement.execute("SET TRANSACTION READ ONLY");
			}
		}
	}

	/**
	 * The connection state a transaction changed, put back when it ends.
	 */
	record Restore(@Nullable Integer isolationLevel, boolean readOnly) {

		static final Restore NOTHING = new Restore(null, false);

		/**
		 * Put the state back after commit or rollback; failures are left for the pool,
		 * which discards a broken connection when it comes back.
		 */
		void restore(Connection connection) {
			try {
				if (this.readOnly) {
					connection.setReadOnly(false);
				}
				if (this.isolationLevel != null) {
					connection.setTransactionIsolation(this.isolationLevel);
				}
			}
			catch (SQLException ex) {
				// A broken connection: the pool discards it when it comes back.
			}
		}

	}

}
