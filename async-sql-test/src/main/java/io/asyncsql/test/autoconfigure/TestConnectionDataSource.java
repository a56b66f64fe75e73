package io.asyncsql.test.autoconfigure;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.util.Assert;

/**
 * The application's {@link DataSource} as an {@link AsyncSqlTest @AsyncSqlTest} wraps it:
 * while a test runs, every connection asked for is the test's {@link TestConnection};
 * between tests (while the context starts, say) connections come from the target as
 * usual.
 */
final class TestConnectionDataSource extends DelegatingDataSource {

	/**
	 * Longest wait for the test's connection while someone else holds it.
	 */
	static final Duration LEND_WAIT = Duration.ofSeconds(10);

	private volatile @Nullable TestConnection current;

	TestConnectionDataSource(DataSource target) {
		super(target);
	}

	/**
	 * Open a test's connection and its transaction.
	 * @param testName the test, for messages
	 * @throws SQLException when no connection can be had
	 */
	void begin(String testName) throws SQLException {
		Assert.state(this.current == null, "A test's connection is already open");
		this.current = TestConnection.open(obtainTargetDataSource(), testName);
	}

	/**
	 * Return the current test's connection.
	 * @return the connection, or {@code null} between tests
	 */
	@Nullable TestConnection current() {
		return this.current;
	}

	/**
	 * Roll back the current test's work and close its connection.
	 * @throws SQLException when the rollback or the close fails
	 */
	void end() throws SQLException {
		TestConnection connection = this.current;
		this.current = null;
		if (connection != null) {
			connection.end();
		}
	}

	@Override
	public Connection getConnection() throws SQLException {
		TestConnection connection = this.current;
		return (connection != null) ? connection.lend(LEND_WAIT) : super.getConnection();
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		TestConnection connection = this.current;
		return (connection != null) ? connection.lend(LEND_WAIT) : super.getConnection(username, password);
	}

}
