package io.asyncsql.test.autoconfigure;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;

import org.jspecify.annotations.Nullable;

/**
 * What a borrower of the {@link TestConnection} sees: a connection of its own, with its
 * own auto-commit mode, whose transactions are savepoints inside the test's transaction.
 * <p>
 * Turning auto-commit off sets a savepoint; {@code commit()} releases it (the work stays,
 * visible to the rest of the test, still uncommitted) and starts the next one;
 * {@code rollback()} returns to it. Closing gives the connection back, rolling back an
 * unfinished transaction first, as connection pools do. Isolation level and read-only
 * flag are remembered but not applied: the physical connection is inside a transaction,
 * where databases refuse to change them. Everything else goes to the physical connection.
 */
final class LogicalConnection implements InvocationHandler {

	private final TestConnection owner;

	private final Connection physical;

	private boolean closed;

	private boolean autoCommit = true;

	private @Nullable Savepoint transactionStart;

	private @Nullable Integer isolation;

	private boolean readOnly;

	LogicalConnection(TestConnection owner, Connection physical) {
		this.owner = owner;
		this.physical = physical;
	}

	@Override
	public synchronized @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
		switch (method.getName()) {
			case "equals":
				return proxy == args[0];
			case "hashCode":
				return System.identityHashCode(proxy);
			case "toString":
				return "@AsyncSqlTest connection" + (this.closed ? " (closed)" : "") + " on " + this.physical;
			case "close", "abort":
				close();
				return null;
			case "isClosed":
				return this.closed || this.owner.isEnded() || this.physical.isClosed();
			default:
		}
		if (this.closed) {
			throw new SQLException("Connection is closed", "08003");
		}
		switch (method.getName()) {
			case "getAutoCommit":
				return this.autoCommit;
			case "setAutoCommit":
				setAutoCommit((Boolean) args[0]);
				return null;
			case "commit":
				commit();
				return null;
			case "rollback":
				if (args == null || args.length == 0) {
					rollback();
					return null;
				}
				break;
			case "getTransactionIsolation":
				return (this.isolation != null) ? this.isolation : this.physical.getTransactionIsolation();
			case "setTransactionIsolation":
				this.isolation = (Integer) args[0];
				return null;
			case "isReadOnly":
				return this.readOnly;
			case "setReadOnly":
				this.readOnly = (Boolean) args[0];
				return null;
			default:
		}
		try {
			return method.invoke(this.physical, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getTargetException();
		}
	}

	private void setAutoCommit(boolean autoCommit) throws SQLException {
		if (autoCommit == this.autoCommit) {
			return;
		}
		if (autoCommit) {
			// JDBC: switching auto-commit on commits the transaction in progress.
			commit();
			this.transactionStart = null;
		}
		else {
			this.transactionStart = this.physical.setSavepoint();
		}
		this.autoCommit = autoCommit;
	}

	private void commit() throws SQLException {
		Savepoint start = requireTransaction("commit");
		this.physical.releaseSavepoint(start);
		this.transactionStart = this.physical.setSavepoint();
	}

	private void rollback() throws SQLException {
		// The savepoint survives a rollback to it and starts the next transaction.
		this.physical.rollback(requireTransaction("rollback"));
	}

	private Savepoint requireTransaction(String operation) throws SQLException {
		if (this.autoCommit || this.transactionStart == null) {
			throw new SQLException("Cannot " + operation + " when auto-commit is enabled", "25000");
		}
		return this.transactionStart;
	}

	private void close() throws SQLException {
		if (this.closed) {
			return;
		}
		this.closed = true;
		try {
			if (!this.autoCommit && this.transactionStart != null && !this.owner.isEnded()) {
				this.physical.rollback(this.transactionStart);
			}
		}
		finally {
			this.owner.returned();
		}
	}

}
