package io.asyncsql.sample;

import java.time.Duration;

import io.asyncsql.AsyncJdbcTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The getting-started flow the application runs at start-up. A context of its own (no web
 * server), started while the output is captured.
 */
@SpringBootTest(webEnvironment = WebEnvironment.NONE)
@ExtendWith(OutputCaptureExtension.class)
class SampleGettingStartedTests {

	@Autowired
	private AsyncJdbcTemplate template;

	@Test
	void startUpLogsTheTwoUsersWhoseNameStartsWithD(CapturedOutput output) {
		assertThat(output.getOut()
			.lines()
			.filter((line) -> line.contains("Username: "))
			.map((line) -> line.substring(line.indexOf("Username: "))))
			.containsExactly("Username: Dan Rydell", "Username: Dana Whitaker");
	}

	@Test
	void startUpInsertsTheFiveUsersInOrder() {
		assertThat(this.template.query("select name from users order by id", (rs, rowNum) -> rs.getString("name")))
			.succeedsWithin(Duration.ofSeconds(30))
			.isEqualTo(GettingStarted.NAMES);
	}

}
