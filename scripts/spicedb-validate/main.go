// Command spicedb-validate checks zed validation files (and .zed schemas) with SpiceDB's own
// development package, the library `zed validate` is a command-line front end to. The SpiceDB
// module scripts/spicedb.sh pins is the one it is built against (zed itself is not served by the
// Go module proxy this project can reach), so the test that compares `tenantgate schema
// validate` with it compares against SpiceDB's answer at that version.
//
// Usage: spicedb-validate FILE...
//
// For each file it prints one JSON line on stdout:
//
//	{"file":"a.yaml","errors":[{"source":"ASSERTION","line":12,"column":7,"message":"…","context":"…"}]}
//
// and exits 0 when no file has an error, 1 when one has, 2 on bad usage. Unlike zed it goes on
// after the first failing file and after failing assertions, so that every failure is listed;
// like zed, the validation block is not run when an assertion failed, and nothing is checked
// past a schema or relationship error.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/authzed/spicedb/pkg/development"
	devinterface "github.com/authzed/spicedb/pkg/proto/developer/v1"
)

type reportedError struct {
	Source  string `json:"source"`
	Line    uint32 `json:"line"`
	Column  uint32 `json:"column"`
	Message string `json:"message"`
	Context string `json:"context,omitempty"`
}

type fileReport struct {
	File   string          `json:"file"`
	Errors []reportedError `json:"errors"`
}

func main() {
	files := os.Args[1:]
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "usage: spicedb-validate FILE...")
		os.Exit(2)
	}
	failed := false
	out := json.NewEncoder(os.Stdout)
	for _, file := range files {
		report := fileReport{File: file, Errors: []reportedError{}}
		developerErrors, err := validate(file)
		if err != nil {
			// Not a developer error (unreadable file, malformed YAML): still a failed file.
			report.Errors = append(report.Errors, reportedError{Source: "FILE", Message: err.Error()})
		}
		for _, devErr := range developerErrors {
			report.Errors = append(report.Errors, reportedError{
				Source:  devErr.GetSource().String(),
				Line:    devErr.GetLine(),
				Column:  devErr.GetColumn(),
				Message: devErr.GetMessage(),
				Context: devErr.GetContext(),
			})
		}
		failed = failed || len(report.Errors) > 0
		if err := out.Encode(report); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	if failed {
		os.Exit(1)
	}
}

func validate(file string) ([]*devinterface.DeveloperError, error) {
	contents, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	// schemaFile and imports are read relative to the file's directory, as zed does.
	sourceFS := development.WithSourceFS(os.DirFS(filepath.Dir(file)))
	if strings.HasSuffix(file, ".zed") {
		_, devErr, err := development.CompileSchema(string(contents), sourceFS,
			development.WithRootFileName(filepath.Base(file)))
		if err != nil || devErr == nil {
			return nil, err
		}
		return []*devinterface.DeveloperError{devErr}, nil
	}

	yamlContext, inputErrors, err := development.NewDevContextForYAML(context.Background(), contents, sourceFS)
	if err != nil {
		return nil, err
	}
	if inputErrors != nil {
		return inputErrors.GetInputErrors(), nil
	}
	defer yamlContext.DevContext.Dispose()

	assertionErrors, err := development.RunAllAssertions(yamlContext.DevContext, &yamlContext.Assertions)
	if err != nil {
		return nil, err
	}
	if len(assertionErrors) > 0 {
		return assertionErrors, nil
	}
	_, validationErrors, err := development.RunValidation(yamlContext.DevContext, &yamlContext.ExpectedRelations)
	return validationErrors, err
}
