"""moto server with the local stack's patch (local/moto_patches.py), for a moto process of its
own: ``python -m local.moto_server -H 127.0.0.1 -p PORT`` takes moto server's arguments."""

from local.moto_patches import install

if __name__ == "__main__":
    install()
    from moto.server import main

    main()
