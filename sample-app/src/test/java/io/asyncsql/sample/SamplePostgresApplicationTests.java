package io.asyncsql.sample;

import org.junit.jupiter.api.BeforeAll;

import org.springframework.test.context.ActiveProfiles;

/**
 * {@link SampleApplicationTests} on the local PostgreSQL server, through the sample's
 * {@code postgres} profile.
 */
@ActiveProfiles("postgres")
class SamplePostgresApplicationTests extends SampleApplicationTests {

	@BeforeAll
	static void assumeServer() {
		LocalServer.assumeReachable("PostgreSQL", "jdbc:postgresql://127.0.0.1:5432/test?connectTimeout=5", "postgres");
	}

}
