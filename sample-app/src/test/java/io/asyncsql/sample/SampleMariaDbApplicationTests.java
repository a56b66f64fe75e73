package io.asyncsql.sample;

import org.junit.jupiter.api.BeforeAll;

import org.springframework.test.context.ActiveProfiles;

/**
 * {@link SampleApplicationTests} on the local MariaDB server, through the sample's
 * {@code mariadb} profile.
 */
@ActiveProfiles("mariadb")
class SampleMariaDbApplicationTests extends SampleApplicationTests {

	@BeforeAll
	static void assumeServer() {
		LocalServer.assumeReachable("MariaDB", "jdbc:mariadb://127.0.0.1:3306/test?connectTimeout=5000", "root");
	}

}
