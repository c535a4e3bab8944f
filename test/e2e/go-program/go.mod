module plugin-go

go 1.25

require (
	example.com/pulumi-dbpasswords/sdk/go v0.1.0
	github.com/pulumi/pulumi/sdk/v3 v3.276.0
)

// The SDK is not published to a module proxy: it comes with the npm package (sdk/go).
replace example.com/pulumi-dbpasswords/sdk/go => ../../../sdk/go
