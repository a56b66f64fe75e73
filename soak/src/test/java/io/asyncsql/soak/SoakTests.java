package io.asyncsql.soak;

import java.time.Duration;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chaos soak as part of the build: the bank ledger on PostgreSQL (its private
 * cluster, restarted mid-run) and on MariaDB, under mixed load and every fault, for two
 * minutes each in CI ({@code ASYNC_SQL_REQUIRE_DATABASES=true}) and 30 seconds otherwise,
 * or as long as {@code ASYNC_SQL_SOAK_DURATION} says ({@code 90s}, {@code 5m}).
 */
class SoakTests {

	private static final boolean REQUIRED = Boolean.parseBoolean(System.getenv("ASYNC_SQL_REQUIRE_DATABASES"));

	@Test
	void postgresLedgerKeepsEveryInvariantUnderFaults() throws Exception {
		soak(SoakTarget.POSTGRESQL);
	}

	@Test
	void mariaDbLedgerKeepsEveryInvariantUnderFaults() throws Exception {
		soak(SoakTarget.MARIADB);
	}

	private void soak(SoakTarget target) throws Exception {
		String problem = target.problem();
		if (problem != null) {
			if (REQUIRED) {
				throw new AssertionError(
						problem + " (ASYNC_SQL_REQUIRE_DATABASES=true, so this fails instead of skipping)");
			}
			Assumptions.abort(problem + "; the soak stays skipped");
		}
		SoakReport report = new Soak(target, duration(), 32, Duration.ofSeconds(8)).run();
		System.out.println(report);
		assertThat(report.faults).as("faults injected").isNotEmpty();
		assertThat(report.allHeld()).as("every invariant held:%n%s", report).isTrue();
	}

	private static Duration duration() {
		String configured = System.getenv("ASYNC_SQL_SOAK_DURATION");
		if (configured != null && !configured.isBlank()) {
			return SoakMain.duration(configured);
		}
		return REQUIRED ? Duration.ofMinutes(2) : Duration.ofSeconds(30);
	}

}
