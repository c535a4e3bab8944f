// A Go program: a Milvus user whose password comes from secret config, rotated by changing it.
package main

import (
	"github.com/pulumi-db-passwords/pulumi-db-passwords/sdk/go/dbpasswords"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		app, err := dbpasswords.NewMilvusUserPassword(ctx, "go-app", &dbpasswords.MilvusUserPasswordArgs{
			Connection: &dbpasswords.MilvusConnectionArgs{
				Address:  pulumi.String(cfg.Require("milvusAddress")),
				Username: pulumi.String("root"),
				Password: cfg.RequireSecret("rootPassword"),
			},
			User:            pulumi.String("go_app"),
			Password:        cfg.RequireSecret("appPassword"),
			CreateIfMissing: pulumi.Bool(true),
		})
		if err != nil {
			return err
		}
		ctx.Export("password", app.Password)
		ctx.Export("passwordVerified", app.PasswordVerified)
		return nil
	})
}
