package io.asyncsql.sample;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import org.junit.jupiter.api.Assumptions;

/**
 * The local database servers the sample's profiles point at: tests on a server that does
 * not answer are skipped with a message naming it, or fail when
 * {@code ASYNC_SQL_REQUIRE_DATABASES=true} (as in CI).
 */
final class LocalServer {

	private LocalServer() {
	}

	static void assumeReachable(String name, String url, String user) {
		try (Connection connection = DriverManager.getConnection(url, user, "")) {
			Assumptions.assumeTrue(connection.isValid(5), () -> name + " at " + url + " did not validate");
		}
		catch (SQLException ex) {
			String message = name + " is not reachable at " + url + " (user " + user + "): " + ex.getMessage();
			if (Boolean.parseBoolean(System.getenv("ASYNC_SQL_REQUIRE_DATABASES"))) {
				throw new AssertionError(
						message + " (ASYNC_SQL_REQUIRE_DATABASES=true, so this fails instead of skipping)", ex);
			}
			Assumptions.abort(message + "; start it, or these tests stay skipped");
		}
	}

}
