package io.asyncsql.test.autoconfigure;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

/**
 * One test's connection: a single physical connection in one transaction that is never
 * committed, lent to one user at a time as a {@link LogicalConnection}.
 * <p>
 * Lending one connection at a time is what keeps the physical connection safe (JDBC
 * connections are not made for use by two threads at once) and is why the slice runs the
 * engine with one permit: the engine then never asks for a second connection while it
 * holds the first, so only work outside the engine can ever wait here.
 */
final class TestConnection {

	private final Connection physical;

	private final Semaphore lendable = new Semaphore(1);

	private final String testName;

	private volatile @Nullable String borrower;

	private volatile boolean ended;

	private TestConnection(Connection physical, String testName) {
		this.physical = physical;
		this.testName = testName;
	}

	/**
	 * Take a connection from the data source and open the test's transaction on it.
	 * @param dataSource the application's data source
	 * @param testName the test, for messages
	 * @return the test's connection
	 * @throws SQLException when no connection can be had or set up
	 */
	static TestConnection open(DataSource dataSource, String testName) throws SQLException {
		Connection physical = dataSource.getConnection();
		try {
			physical.setAutoCommit(false);
		}
		catch (SQLException ex) {
			physical.close();
			throw ex;
		}
		return new TestConnection(physical, testName);
	}

	/**
	 * Lend the connection, waiting for the current borrower to close it.
	 * @param wait how long to wait
	 * @return a logical connection
	 * @throws SQLException when the connection stays lent for longer than {@code wait}
	 */
	Connection lend(Duration wait) throws SQLException {
		try {
			if (!this.lendable.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
				throw new SQLTransientConnectionException("@AsyncSqlTest runs all database work of " + this.testName
						+ " on one connection, which thread '" + this.borrower + "' has not given back within "
						+ wait.toSeconds() + "s: a test cannot use two connections at once. Close each "
						+ "AsyncConnection before starting other database work, and avoid blocking calls on the "
						+ "test's thread while one is open.", "08001");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SQLTransientConnectionException("Interrupted while waiting for the test's connection", "08001",
					ex);
		}
		if (this.ended) {
			this.lendable.release();
			throw new SQLTransientConnectionException(
					"The database work of " + this.testName + " was rolled back: the test has ended", "08003");
		}
		this.borrower = Thread.currentThread().getName();
		return (Connection) Proxy.newProxyInstance(TestConnection.class.getClassLoader(),
				new Class<?>[] { Connection.class }, new LogicalConnection(this, this.physical));
	}

	/**
	 * Called by a {@link LogicalConnection} when it is closed.
	 */
	void returned() {
		this.borrower = null;
		this.lendable.release();
	}

	/**
	 * Wait for the connection to be given back.
	 * @param wait how long to wait
	 * @return whether it was given back in time
	 * @throws InterruptedException when interrupted while waiting
	 */
	boolean awaitReturn(Duration wait) throws InterruptedException {
		if (!this.lendable.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
			return false;
		}
		this.lendable.release();
		return true;
	}

	/**
	 * Return the thread that holds the connection, if any.
	 * @return the thread's name, or {@code null}
	 */
	@Nullable String borrower() {
		return this.borrower;
	}

	/**
	 * Roll back everything the test did and close the physical connection. Whoever still
	 * holds a logical connection gets errors from then on.
	 * @throws SQLException when the rollback or the close fails
	 */
	void end() throws SQLException {
		this.ended = true;
		try {
			this.physical.rollback();
		}
		finally {
			this.physical.close();
		}
	}

	boolean isEnded() {
		return this.ended;
	}

}
