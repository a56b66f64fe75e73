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
		String problem;
		try (Connection connection = DriverManager.getConnection(url, user, "")) {
			if (connection.isValid(5)) {
				return;
			}
			problem = "the connection did not validate";
		}
		catch (SQLException ex) {
			problem = ex.getMessage();
		}
		String message = name + " is not reachable at " + url + " (user " + user + "): " + problem;
		if (Boolean.parseBoolean(System.getenv("ASYNC_SQL_REQUIRE_DATABASES"))) {
			throw new AssertionError(
					message + " (ASYNC_SQL_REQUIRE_DATABASES=true, so this fails instead of skipping)");
		}
		Assumptions.abort(message + "; start it, or these tests stay skipped");
	}

}
